/**
 * A fingerprint as gpg shows it: upper-case hex in groups of 4, two spaces in the middle
 * (`8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190`).
 */
export function formatFingerprint(hex: string): string {
  const groups = hex.toUpperCase().match(/.{1,4}/g) ?? [];
  const half = Math.ceil(groups.length / 2);
  return `${groups.slice(0, half).join(" ")}  ${groups.slice(half).join(" ")}`;
}
