// Compression of ACI files, recognised by magic bytes (appc.md §2.1): gzip through
// node:zlib, bzip2 and xz through the system tools (as the reference does), plain tar
// by "ustar" at offset 257. node:zlib is imported where a gzip is read: loading it costs
// every rkt command a few milliseconds of start-up (the bundle hoists static imports).
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";

export type AciCompression = "gzip" | "bzip2" | "xz" | "none";

const magics: Array<[AciCompression, number[]]> = [
  ["gzip", [0x1f, 0x8b]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];
const USTAR_OFFSET = 257;
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];

/** The compression of a file from its first bytes (up to 512); throws `unknown image filetype`. */
export function detectCompression(head: Uint8Array): AciCompression {
  for (const [type, magic] of magics) if (magic.every((b, i) => head[i] === b)) return type;
  if (head.length > USTAR_OFFSET + USTAR.length && USTAR.every((b, i) => head[USTAR_OFFSET + i] === b)) return "none";
  throw new Error("unknown image filetype");
}

export async function detectFileCompression(path: string): Promise<AciCompression> {
  return detectCompression(await readFileHead(path));
}

/** The first 512 bytes of a file (fewer if it is shorter): enough for every magic above. */
export async function readFileHead(path: string): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const head = new Uint8Array(512);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function* gunzipFile(path: string): AsyncGenerator<Uint8Array> {
  const { createGunzip } = await import("node:zlib");
  const source = createReadStream(path);
  const gunzip = createGunzip();
  source.on("error", (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    yield* gunzip;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** The native reader's xz decoder memory cap (native/decompress.c); bzip2 needs at most 4 MiB. */
const toolArgs: Record<string, string[]> = { xz: ["-dc", "--memlimit-decompress=512MiB"], bzip2: ["-dc"] };

async function* decompressWithTool(tool: string, path: string): AsyncGenerator<Uint8Array> {
  const proc = Bun.spawn([tool, ...toolArgs[tool]!], { stdin: Bun.file(path), stdout: "pipe", stderr: "pipe" });
  let complete = false;
  try {
    yield* proc.stdout;
    complete = true;
    if ((await proc.exited) !== 0) {
      const message = (await new Response(proc.stderr).text()).trim();
      throw new Error(`${tool} -dc ${path} failed: ${message}`);
    }
  } finally {
    if (!complete) proc.kill();
  }
}

/** The uncompressed tar stream of an ACI file, whatever its compression. */
export async function openTarStream(path: string): Promise<{ compression: AciCompression; stream: AsyncIterable<Uint8Array> }> {
  const compression = await detectFileCompression(path);
  const stream =
    compression === "gzip"
      ? gunzipFile(path)
      : compression === "none"
        ? createReadStream(path)
        : decompressWithTool(compression, path);
  return { compression, stream };
}
