// `docker-archive:FILE[:REF]` (skopeo's spelling): what `docker save`, `podman save` and
// `skopeo copy ... docker-archive:` write. A tar, plain or compressed, with `manifest.json`
// (`[{Config, RepoTags, Layers}]`), the config, and the layer tars (`ID/layer.tar`,
// `HEX.tar`, or `blobs/sha256/HEX` from docker 25 on), plain or compressed. REF picks the
// image carrying that RepoTag; without REF the archive must hold one image.
// The archive is read twice and never extracted: first manifest.json and the links between
// members (older docker links a repeated layer to its first copy), then the config and the
// layers, copied into the scratch directory. Member names are only compared, never made
// into paths; a name or a link that leaves the archive is refused. The config must be named
// by its sha256 (docker always does), and each layer must hash, uncompressed, to its
// diff_id in the config.
import { join, posix } from "node:path";
import { openTarStream, parseJson, readTar, type TarEntry } from "../appc";
import { describeLimit, SIZE_LIMITS } from "../size-limits";
import { archiveReference, canonicalReference } from "./archive-reference";
import { checkDigest, sha256Digest } from "./blob-digest";
import { writeBlobFile } from "./blob-file";
import type { LoadedImage } from "./converted-import";

interface ArchiveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** Links are followed at most this many times: a loop of links ends. */
const MAX_LINKS = 8;

/** Reads the image `ref` (or the only one) of the archive `file`, its layers into `scratch`. */
export async function loadDockerArchiveImage(file: string, ref: string | undefined, scratch: string): Promise<LoadedImage> {
  const { manifestJson, links } = await readIndex(file);
  const entry = chooseImage(parseArchiveManifest(manifestJson, file), ref, file);
  const resolve = (name: string) => resolveMember(name, links, file);
  const configName = resolve(entry.Config);
  const layerNames = entry.Layers.map(resolve);
  const { configBytes, layerFiles } = await readMembers(file, configName, layerNames, scratch);
  const configDigest = sha256Digest(configBytes);
  checkDigest(configDigest, configHexFromName(configName, file), `the config ${configName} of ${file} is not what its name says (refused)`);
  await checkDiffIds(configBytes, configDigest, layerFiles, layerNames, file);
  return { reference: archiveReference(ref ?? entry.RepoTags[0], file), configBytes, configDigest, layerFiles };
}

/** First pass: the bytes of manifest.json and where each link points (archive names). */
async function readIndex(file: string): Promise<{ manifestJson: Uint8Array; links: Map<string, string> }> {
  const links = new Map<string, string>();
  let manifestJson: Uint8Array | undefined;
  for await (const entry of await archiveEntries(file)) {
    const name = memberName(entry.header.name);
    if (entry.header.type === "symlink") links.set(name, posix.join(posix.dirname(name), entry.header.linkname ?? ""));
    else if (entry.header.type === "hardlink") links.set(name, memberName(entry.header.linkname ?? ""));
    else if (name === "manifest.json" && entry.header.type === "file") manifestJson = await boundedBytes(entry, SIZE_LIMITS.dockerManifest, `manifest.json of ${file}`);
  }
  if (!manifestJson) throw new Error(`${file} is not a docker archive: it has no manifest.json`);
  return { manifestJson, links };
}

/** Second pass: the config's bytes, and each wanted layer copied once into `scratch`. */
async function readMembers(file: string, configName: string, layerNames: string[], scratch: string): Promise<{ configBytes: Uint8Array; layerFiles: string[] }> {
  const saved = new Map<string, string>();
  let configBytes: Uint8Array | undefined;
  for await (const entry of await archiveEntries(file)) {
    const name = memberName(entry.header.name);
    if (entry.header.type !== "file") continue;
    if (name === configName) configBytes = await boundedBytes(entry, SIZE_LIMITS.dockerImageConfig, `image config ${name} of ${file}`);
    else if (layerNames.includes(name) && !saved.has(name)) {
      const path = join(scratch, `layer-${saved.size}`);
      await writeBlobFile(entry.body(), path, entry.header.size, "sha256", `layer ${name} of ${file}`);
      saved.set(name, path);
    }
  }
  if (!configBytes) throw new Error(`${file} has no config ${configName}, which its manifest.json names`);
  const missing = layerNames.find((name) => !saved.has(name));
  if (missing !== undefined) throw new Error(`${file} has no layer ${missing}, which its manifest.json names`);
  return { configBytes, layerFiles: layerNames.map((name) => saved.get(name)!) };
}

async function archiveEntries(file: string): Promise<AsyncGenerator<TarEntry>> {
  return readTar((await openTarStream(file)).stream);
}

async function boundedBytes(entry: TarEntry, limit: number, what: string): Promise<Uint8Array> {
  if (entry.header.size > limit) throw new Error(`${what} is larger than ${describeLimit(limit)}`);
  return entry.bytes();
}

function parseArchiveManifest(bytes: Uint8Array, file: string): ArchiveEntry[] {
  const source = `manifest.json of ${file}`;
  const value = parseJson(new TextDecoder().decode(bytes), source);
  const isStrings = (list: unknown): list is string[] => Array.isArray(list) && list.every((item) => typeof item === "string");
  const valid = (item: any): boolean => typeof item?.Config === "string" && isStrings(item.Layers) && (item.RepoTags === null || item.RepoTags === undefined || isStrings(item.RepoTags));
  if (!Array.isArray(value) || !value.length || !value.every(valid)) throw new Error(`${source} is not a docker archive manifest (a list of {Config, RepoTags, Layers})`);
  return value.map((item) => ({ Config: item.Config, RepoTags: item.RepoTags ?? [], Layers: item.Layers }));
}

function chooseImage(entries: ArchiveEntry[], ref: string | undefined, file: string): ArchiveEntry {
  const tags = entries.flatMap((entry) => entry.RepoTags);
  const known = tags.length ? `it has ${tags.map((tag) => `"${tag}"`).join(", ")}` : "it names none";
  if (ref === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw new Error(`${file} holds ${entries.length} images: name one as docker-archive:${file}:REF (${known})`);
  }
  const wanted = canonicalReference(archiveReference(ref, file));
  const chosen = entries.find((entry) => entry.RepoTags.some((tag) => canonicalReference(archiveReference(tag, file)) === wanted));
  if (!chosen) throw new Error(`no image "${ref}" in ${file} (${known})`);
  return chosen;
}

/** A member's name as the archive's manifest spells it: `./x/layer.tar` -> `x/layer.tar`. */
function memberName(name: string): string {
  return posix.normalize(name.replace(/^\/+/, "")).replace(/\/+$/, "");
}

/** The member a manifest name means, through links; a name outside the archive is refused. */
function resolveMember(name: string, links: Map<string, string>, file: string): string {
  let member = memberName(name);
  for (let hops = 0; ; hops++) {
    if (posix.isAbsolute(name) || member === ".." || member.startsWith("../")) throw new Error(`${file} names ${name}, which is outside the archive (refused)`);
    const target = links.get(member);
    if (target === undefined) return member;
    if (hops === MAX_LINKS) throw new Error(`${file}: ${name} goes through more than ${MAX_LINKS} links`);
    name = target;
    member = memberName(target);
  }
}

/** Docker names the config by its sha256: `HEX.json` or `blobs/sha256/HEX`. */
function configHexFromName(name: string, file: string): string {
  const hex = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(name)?.[1];
  if (!hex) throw new Error(`the config ${name} of ${file} is not named by its sha256, so it cannot be checked (refused)`);
  return hex;
}

/** Each layer, uncompressed, must hash to its diff_id in the config. */
async function checkDiffIds(configBytes: Uint8Array, configDigest: string, layerFiles: string[], layerNames: string[], file: string): Promise<void> {
  const diffIds = (parseJson(new TextDecoder().decode(configBytes), `image config ${configDigest}`) as { rootfs?: { diff_ids?: unknown } } | null)?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== layerFiles.length) throw new Error(`image config ${configDigest} of ${file} lists ${Array.isArray(diffIds) ? diffIds.length : "no"} layer digests (rootfs.diff_ids) for ${layerFiles.length} layers`);
  for (const [n, path] of layerFiles.entries()) {
    const hasher = new Bun.CryptoHasher("sha256");
    for await (const chunk of (await openTarStream(path)).stream) hasher.update(chunk);
    const diffId = String(diffIds[n]);
    if (diffId !== `sha256:${hasher.digest("hex")}`) throw new Error(`layer ${layerNames[n]} of ${file} does not match its digest ${diffId} in the image config (refused)`);
  }
}
