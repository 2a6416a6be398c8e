// actool patch-manifest: change fields of an ACI's manifest and copy every other entry
// unchanged (headers, content, PAX records), into a new file or in place.
import { aciEntries, cleanEntryName } from "./aci-archive";
import { writeAciFile, type AciWriteOptions } from "./aci-write";
import { RETAIN_SET } from "./capabilities";
import { parseImageManifest } from "./image-manifest";
import { serializeManifest } from "./manifest-json";
import { tarEnd, tarEntry } from "./tar-writer";
import type { App, ImageManifest, Isolator, MountPoint, Port } from "./types";

export interface ManifestPatch {
  name?: string;
  exec?: string[];
  user?: string;
  group?: string;
  /** Capabilities for a retain-set isolator (replacing any earlier one). */
  capabilities?: string[];
  mountPoints?: MountPoint[];
  ports?: Port[];
  /** Isolators added, replacing earlier ones of the same name. */
  isolators?: Isolator[];
}

function withIsolators(existing: Isolator[] | undefined, added: Isolator[]): Isolator[] {
  const names = new Set(added.map((i) => i.name));
  return [...(existing ?? []).filter((i) => !names.has(i.name)), ...added];
}

/** The manifest with the patch applied; the result is validated (throws ManifestError). */
export function applyManifestPatch(manifest: ImageManifest, patch: ManifestPatch): ImageManifest {
  const m: ImageManifest = structuredClone(manifest);
  if (patch.name !== undefined) m.name = patch.name;
  const touchesApp = [patch.exec, patch.user, patch.group, patch.capabilities, patch.mountPoints, patch.ports, patch.isolators].some((v) => v !== undefined);
  if (touchesApp) {
    const app: App = (m.app ??= { exec: [], user: "", group: "" });
    if (patch.exec !== undefined) app.exec = patch.exec;
    if (patch.user !== undefined) app.user = patch.user;
    if (patch.group !== undefined) app.group = patch.group;
    if (patch.mountPoints !== undefined) app.mountPoints = patch.mountPoints;
    if (patch.ports !== undefined) app.ports = patch.ports;
    const added = [...(patch.isolators ?? [])];
    if (patch.capabilities !== undefined) added.push({ name: RETAIN_SET, value: { set: patch.capabilities } });
    if (added.length) app.isolators = withIsolators(app.isolators, added);
  }
  return parseImageManifest(m);
}

async function* patchedTar(input: string, transform: (m: ImageManifest) => ImageManifest): AsyncGenerator<Uint8Array> {
  let found = false;
  for await (const entry of aciEntries(input)) {
    if (cleanEntryName(entry.header.name) !== "manifest") {
      yield* tarEntry(entry.header, entry.body());
      continue;
    }
    found = true;
    const manifest = transform(parseImageManifest(new TextDecoder().decode(await entry.bytes()), input));
    const bytes = new TextEncoder().encode(serializeManifest(manifest));
    yield* tarEntry({ ...entry.header, size: bytes.length }, bytes);
  }
  if (!found) throw new Error(`missing manifest in ${input}`);
  yield tarEnd();
}

/**
 * Copies the ACI `input` to `output` (which may be the same file) with its manifest
 * replaced by `transform(manifest)`; every other entry is copied unchanged.
 */
export async function rewriteAciManifest(
  input: string,
  output: string,
  transform: (m: ImageManifest) => ImageManifest,
  opts: AciWriteOptions,
): Promise<void> {
  await writeAciFile(output, patchedTar(input, transform), { ...opts, overwrite: opts.overwrite || input === output });
}
