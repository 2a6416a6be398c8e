// A test-only writer of tar entries byte by byte, so tests can build archives that no
// well-behaved tar would produce (escaping names, planted symlinks, broken checksums).
export interface TarEntrySpec {
  name: string;
  /** '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, or any other flag. */
  type?: string;
  data?: string | Uint8Array;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  /** PAX records for an 'x' header before the entry (values as given). */
  pax?: Record<string, string | Uint8Array>;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function padToBlock(data: Uint8Array): Buffer {
  const padded = Buffer.alloc(Math.ceil(data.length / BLOCK) * BLOCK);
  padded.set(data);
  return padded;
}

function header(spec: TarEntrySpec, type: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(spec.name.slice(0, 100), 0, "utf8");
  h.write(octal(spec.mode ?? (type === "5" ? 0o755 : 0o644), 8), 100);
  h.write(octal(spec.uid ?? 0, 8), 108);
  h.write(octal(spec.gid ?? 0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(spec.mtime ?? 1_600_000_000, 12), 136);
  h.write(type, 156);
  h.write((spec.linkname ?? "").slice(0, 100), 157);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.write(octal(spec.devmajor ?? 0, 8), 329);
  h.write(octal(spec.devminor ?? 0, 8), 337);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

function paxRecords(records: Record<string, string | Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from("\n")]);
    // The length counts itself, so find the fixed point.
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    parts.push(Buffer.concat([Buffer.from(String(length)), body]));
  }
  return Buffer.concat(parts);
}

/** One entry: an optional PAX header, the ustar header and its padded data. */
export function tarEntry(spec: TarEntrySpec): Buffer {
  const type = spec.type ?? "0";
  const data = typeof spec.data === "string" ? Buffer.from(spec.data) : (spec.data ?? new Uint8Array(0));
  const parts: Buffer[] = [];
  if (spec.pax) {
    const records = paxRecords(spec.pax);
    parts.push(header({ name: "PaxHeaders/x" }, "x", records.length), padToBlock(records));
  }
  parts.push(header(spec, type, data.length), padToBlock(data));
  return Buffer.concat(parts);
}

/** A whole archive: the entries and the two zero blocks that end it. */
export function tarArchive(entries: TarEntrySpec[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), Buffer.alloc(2 * BLOCK)]);
}
