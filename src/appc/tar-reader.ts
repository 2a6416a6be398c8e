// Iterates the entries of an uncompressed tar stream (ustar, PAX and GNU long names).
// Each entry's content can be streamed or read whole; unread content is skipped.
import { ByteReader } from "./byte-reader";
import { BLOCK, entryTypeOf, field, headerChecksum, paddingFor, type TarHeader } from "./tar-header";

export interface TarEntry {
  header: TarHeader;
  /** The content as chunks; may be read once, before moving on to the next entry. */
  body(): AsyncIterable<Uint8Array>;
  /** The whole content. */
  bytes(): Promise<Uint8Array>;
}

const decoder = new TextDecoder();

function readString(block: Uint8Array, [offset, length]: readonly [number, number]): string {
  const bytes = block.subarray(offset, offset + length);
  const nul = bytes.indexOf(0);
  return decoder.decode(nul === -1 ? bytes : bytes.subarray(0, nul));
}

/** Octal (NUL or space terminated) or GNU base-256 (high bit of the first byte set). */
function readNumber(block: Uint8Array, [offset, length]: readonly [number, number]): number {
  const bytes = block.subarray(offset, offset + length);
  if (bytes[0]! & 0x80) {
    let value = bytes[0]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + bytes[i]!;
    return value;
  }
  const text = readString(block, [offset, length]).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

/** PAX records: `"<len> <key>=<value>\n"`; values stay bytes (xattrs need not be UTF-8). */
function parsePax(data: Uint8Array): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = parseInt(decoder.decode(data.subarray(at, space)), 10);
    if (space === -1 || !(len > 0) || at + len > data.length) throw new Error("malformed PAX header");
    const record = data.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new Error("malformed PAX record");
    records.set(decoder.decode(record.subarray(0, eq)), record.subarray(eq + 1));
    at += len;
  }
  return records;
}

const paxFields = new Set(["path", "linkpath", "size", "uid", "gid", "mtime", "uname", "gname"]);

function applyPax(h: TarHeader, pax: Map<string, Uint8Array>): void {
  const text = (key: string) => decoder.decode(pax.get(key)!);
  if (pax.has("path")) h.name = text("path").replace(/\/+$/, "");
  if (pax.has("linkpath")) h.linkname = text("linkpath");
  if (pax.has("size")) h.size = Number(text("size"));
  if (pax.has("uid")) h.uid = Number(text("uid"));
  if (pax.has("gid")) h.gid = Number(text("gid"));
  if (pax.has("mtime")) h.mtime = Number(text("mtime"));
  if (pax.has("uname")) h.uname = text("uname");
  if (pax.has("gname")) h.gname = text("gname");
  for (const [key, value] of pax) {
    if (key.startsWith("SCHILY.xattr.")) (h.xattrs ??= {})[key.slice("SCHILY.xattr.".length)] = value;
    else if (!paxFields.has(key)) (h.pax ??= {})[key] = decoder.decode(value);
  }
}

function isZeroBlock(block: Uint8Array): boolean {
  return block.every((b) => b === 0);
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** Reads entries until the end-of-archive marker (or a clean end of stream). */
export async function* readTar(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  try {
    let pax = new Map<string, Uint8Array>();
    let gnuName: string | undefined;
    let gnuLink: string | undefined;
    for (;;) {
      const block = await reader.readExact(BLOCK);
      if (!block || isZeroBlock(block)) return;
      if (readNumber(block, field.checksum) !== headerChecksum(block)) throw new Error("tar: invalid header checksum");
      const flag = String.fromCharCode(block[field.typeflag[0]]!);
      const size = readNumber(block, field.size);
      if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
        const data = (await reader.readExact(size + paddingFor(size)))!.subarray(0, size);
        if (flag === "x") pax = new Map([...pax, ...parsePax(data)]);
        else if (flag === "L") gnuName = readString(data, [0, size]);
        else if (flag === "K") gnuLink = readString(data, [0, size]);
        continue;
      }
      // Old GNU headers keep other data where ustar has its name prefix.
      const prefix = readString(block, field.magic) === "ustar" ? readString(block, field.prefix) : "";
      const name = readString(block, field.name);
      const type = entryTypeOf(flag);
      const header: TarHeader = {
        name: (gnuName ?? (prefix ? `${prefix}/${name}` : name)).replace(/\/+$/, "") || ".",
        type: type ?? "file",
        mode: readNumber(block, field.mode) & 0o7777,
        uid: readNumber(block, field.uid),
        gid: readNumber(block, field.gid),
        size,
        mtime: readNumber(block, field.mtime),
      };
      const linkname = gnuLink ?? readString(block, field.linkname);
      if (linkname) header.linkname = linkname;
      const uname = readString(block, field.uname);
      const gname = readString(block, field.gname);
      if (uname) header.uname = uname;
      if (gname) header.gname = gname;
      if (flag === "3" || flag === "4") {
        header.devmajor = readNumber(block, field.devmajor);
        header.devminor = readNumber(block, field.devminor);
      }
      applyPax(header, pax);
      if (!type) throw new Error(`tar: unsupported entry type '${flag}' for "${header.name}"`);
      pax = new Map();
      gnuName = gnuLink = undefined;
      // Header-only types (links, directories, devices) have no content whatever size they declare.
      const contentSize = header.type === "file" ? header.size : 0;
      header.size = contentSize;
      let consumed = 0;
      let started = false;
      const entry: TarEntry = {
        header,
        body: async function* () {
          if (started) throw new Error(`tar: the content of "${header.name}" was already read`);
          started = true;
          for await (const chunk of reader.chunksOf(contentSize)) {
            consumed += chunk.length;
            yield chunk;
          }
        },
        bytes: () => readAll(entry.body()),
      };
      yield entry;
      await reader.skip(contentSize - consumed + paddingFor(contentSize));
    }
  } finally {
    await reader.close();
  }
}
