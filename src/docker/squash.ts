// Squashes docker layers (bottom first) into one ACI tar stream without extracting them:
// a first pass over the layers' entry names records, per path, the highest layer that
// provides it, whites it out (`.wh.NAME`) or makes it opaque (`.wh..wh..opq`); the second
// pass streams the layers bottom-up and keeps an entry only if no higher layer replaced,
// deleted or hid it. A directory present in several layers is written once, at its lowest
// layer (so parents still come before children) with the highest layer's metadata.
// Nothing of the moment of conversion goes in: the same layers and manifest always make
// the same bytes, hence the same image ID.
import { openTarStream, readTar, tarEnd, tarEntry, type TarHeader } from "../appc";

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

interface Provider {
  layer: number;
  header: TarHeader;
}

interface LayerIndex {
  providers: Map<string, Provider>;
  whiteouts: Map<string, number>;
  opaques: Map<string, number>;
}

/**
 * The ACI's tar: `manifest`, `rootfs`, then the squashed layers under `rootfs/`; `mtime`
 * (seconds, the image's creation time) dates the two entries that no layer provides.
 */
export async function* squashedAci(manifestJson: string, layerFiles: string[], mtime: number): AsyncGenerator<Uint8Array> {
  const index = await indexLayers(layerFiles);
  const manifest = new TextEncoder().encode(manifestJson);
  yield* tarEntry({ name: "manifest", type: "file", mode: 0o644, uid: 0, gid: 0, size: manifest.length, mtime }, manifest);
  yield* tarEntry({ name: "rootfs", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtime });
  const writtenDirs = new Set<string>();
  for (const [layer, file] of layerFiles.entries()) {
    for await (const entry of readTar((await openTarStream(file)).stream)) {
      const path = layerPath(entry.header.name);
      if (path === undefined || isMarker(path)) continue;
      const header = visibleHeader(index, layer, path, entry.header);
      if (!header || (header.type === "directory" && writtenDirs.has(path))) continue;
      if (header.type === "directory") writtenDirs.add(path);
      const linkname = header.type === "hardlink" ? `rootfs/${layerPath(header.linkname ?? "") ?? ""}` : header.linkname;
      yield* tarEntry({ ...header, name: `rootfs/${path}`, linkname }, header.type === "file" ? entry.body() : undefined);
    }
  }
  yield tarEnd();
}

async function indexLayers(layerFiles: string[]): Promise<LayerIndex> {
  const index: LayerIndex = { providers: new Map(), whiteouts: new Map(), opaques: new Map() };
  for (const [layer, file] of layerFiles.entries()) {
    for await (const entry of readTar((await openTarStream(file)).stream)) {
      const path = layerPath(entry.header.name);
      if (path === undefined) continue;
      const slash = path.lastIndexOf("/");
      const dir = path.slice(0, slash + 1);
      const base = path.slice(slash + 1);
      if (base === OPAQUE) index.opaques.set(dir.slice(0, -1), layer);
      else if (base.startsWith(WHITEOUT)) index.whiteouts.set(dir + base.slice(WHITEOUT.length), layer);
      else index.providers.set(path, { layer, header: entry.header });
    }
  }
  return index;
}

/** The header to write for `path` of `layer`, or undefined if a higher layer hides it. */
function visibleHeader(index: LayerIndex, layer: number, path: string, header: TarHeader): TarHeader | undefined {
  if ((index.whiteouts.get(path) ?? -1) > layer) return undefined;
  for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
    const ancestor = path.slice(0, slash);
    if ((index.whiteouts.get(ancestor) ?? -1) > layer || (index.opaques.get(ancestor) ?? -1) > layer) return undefined;
    const provider = index.providers.get(ancestor);
    if (provider && provider.layer > layer && provider.header.type !== "directory") return undefined;
  }
  const top = index.providers.get(path)!;
  if (top.layer === layer) return header;
  return top.header.type === "directory" && header.type === "directory" ? top.header : undefined;
}

/** A layer entry's path relative to the root (`./usr/bin/` -> `usr/bin`); undefined for the root itself. */
function layerPath(name: string): string | undefined {
  const path = name.replace(/^(\.?\/)+/, "").replace(/\/+$/, "");
  return path === "" || path === "." ? undefined : path;
}

function isMarker(path: string): boolean {
  return path.slice(path.lastIndexOf("/") + 1).startsWith(WHITEOUT);
}
