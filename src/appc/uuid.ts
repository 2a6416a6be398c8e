// Pod UUIDs (RFC 4122): random v4 for new pods; parsing accepts 32 hex digits with or
// without dashes, any case, and prints the canonical lower-case 8-4-4-4-12 form.

export function newUuid(): string {
  return crypto.randomUUID();
}

export function parseUuid(s: string): string {
  const hex = s.replace(/-/g, "").toLowerCase();
  const dashesOk = !s.includes("-") || /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s);
  if (!/^[0-9a-f]{32}$/.test(hex) || !dashesOk) throw new Error(`"${s}" is not a UUID: expected 32 hex digits, optionally as 8-4-4-4-12`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isUuid(s: string): boolean {
  try {
    parseUuid(s);
    return true;
  } catch {
    return false;
  }
}
