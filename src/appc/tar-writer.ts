// Writes tar entries as byte chunks: a ustar header (preceded by a PAX header when a value
// does not fit), the content, and padding to the block size. Streams compose with
// node:stream's pipeline, so nothing is held in memory whole.
import { BLOCK, field, headerChecksum, paddingFor, typeFlags, type TarHeader } from "./tar-header";

const encoder = new TextEncoder();

function putString(block: Uint8Array, [offset, length]: readonly [number, number], value: string): void {
  block.set(encoder.encode(value).subarray(0, length), offset);
}

/** Octal with a NUL terminator, as ustar wants; the caller checks that it fits. */
function putOctal(block: Uint8Array, [offset, length]: readonly [number, number], value: number): void {
  putString(block, [offset, length], `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function fitsOctal(value: number, length: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 8 ** (length - 1);
}

function fitsString(value: string, length: number): boolean {
  return encoder.encode(value).length <= length && /^[\x01-\x7f]*$/.test(value);
}

/** One PAX record, `"<len> <key>=<value>\n"`, where len counts the whole record. */
function paxRecord(key: string, value: string | Uint8Array): Uint8Array {
  const body = typeof value === "string" ? encoder.encode(value) : value;
  const rest = encoder.encode(` ${key}=`).length + body.length + 1;
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  const record = new Uint8Array(len);
  const head = encoder.encode(`${len} ${key}=`);
  record.set(head, 0);
  record.set(body, head.length);
  record[len - 1] = 0x0a;
  return record;
}

/** The PAX records this header needs: values ustar cannot carry, xattrs, and kept records. */
function paxRecords(h: TarHeader, storedName: string): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (const [key, value] of Object.entries(h.pax ?? {})) records.push(paxRecord(key, value));
  if (!fitsString(storedName, field.name[1])) records.push(paxRecord("path", storedName));
  if (h.linkname && !fitsString(h.linkname, field.linkname[1])) records.push(paxRecord("linkpath", h.linkname));
  if (h.uname && !fitsString(h.uname, field.uname[1])) records.push(paxRecord("uname", h.uname));
  if (h.gname && !fitsString(h.gname, field.gname[1])) records.push(paxRecord("gname", h.gname));
  if (!fitsOctal(h.size, field.size[1])) records.push(paxRecord("size", String(h.size)));
  if (!fitsOctal(h.uid, field.uid[1])) records.push(paxRecord("uid", String(h.uid)));
  if (!fitsOctal(h.gid, field.gid[1])) records.push(paxRecord("gid", String(h.gid)));
  if (!fitsOctal(h.mtime, field.mtime[1])) records.push(paxRecord("mtime", String(h.mtime)));
  for (const [name, value] of Object.entries(h.xattrs ?? {})) records.push(paxRecord(`SCHILY.xattr.${name}`, value));
  return records;
}

function ustarBlock(h: TarHeader, storedName: string, typeflag: string, size: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const clip = (n: number, length: number) => (fitsOctal(n, length) ? n : 0);
  putString(block, field.name, fitsString(storedName, field.name[1]) ? storedName : storedName.slice(0, 99));
  putOctal(block, field.mode, h.mode & 0o7777);
  putOctal(block, field.uid, clip(h.uid, field.uid[1]));
  putOctal(block, field.gid, clip(h.gid, field.gid[1]));
  putOctal(block, field.size, clip(size, field.size[1]));
  putOctal(block, field.mtime, clip(Math.floor(h.mtime), field.mtime[1]));
  putString(block, field.typeflag, typeflag);
  if (h.linkname) putString(block, field.linkname, h.linkname);
  putString(block, field.magic, "ustar\0");
  putString(block, field.version, "00");
  if (h.uname) putString(block, field.uname, h.uname);
  if (h.gname) putString(block, field.gname, h.gname);
  putOctal(block, field.devmajor, h.devmajor ?? 0);
  putOctal(block, field.devminor, h.devminor ?? 0);
  putString(block, field.checksum, `${headerChecksum(block).toString(8).padStart(6, "0")}\0 `);
  return block;
}

/** The header bytes of one entry: a PAX `x` entry when needed, then the ustar block. */
function encodeHeader(h: TarHeader): Uint8Array {
  const storedName = h.type === "directory" ? `${h.name}/` : h.name;
  const size = h.type === "file" ? h.size : 0;
  const main = ustarBlock(h, storedName, typeFlags[h.type], size);
  const records = paxRecords(h, storedName);
  if (!records.length) return main;
  const paxData = Buffer.concat(records);
  const paxName = `PaxHeaders/${storedName.split("/").filter(Boolean).pop() ?? "entry"}`.slice(0, 99);
  const paxHeader = ustarBlock({ ...h, name: paxName, uid: 0, gid: 0, uname: "", gname: "", linkname: "" }, paxName, "x", paxData.length);
  return Buffer.concat([paxHeader, paxData, new Uint8Array(paddingFor(paxData.length)), main]);
}

/** One whole entry as chunks; the body must be exactly `h.size` bytes. */
export async function* tarEntry(h: TarHeader, body?: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield encodeHeader(h);
  if (h.type !== "file") return;
  let written = 0;
  const chunks = body instanceof Uint8Array ? [body] : (body ?? []);
  for await (const chunk of chunks) {
    written += chunk.length;
    if (written > h.size) throw new Error(`tar: "${h.name}" grew while it was being archived (more than ${h.size} bytes)`);
    yield chunk;
  }
  if (written !== h.size) throw new Error(`tar: "${h.name}" has ${written} bytes, expected ${h.size}`);
  const padding = paddingFor(h.size);
  if (padding) yield new Uint8Array(padding);
}

/** The end-of-archive marker: two zero blocks. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}
