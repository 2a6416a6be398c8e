// What the texts of a pod's files say, without reading them: for `rkt list`, which gets the
// texts from its scan (and must not load node:fs, 3 ms), and for src/pod/pod-files.ts.
import type { PodManifest } from "../appc";
import type { JoinedNetwork } from "../net";

/** The store key (`sha512-` + 64 hex) of a full image ID as pod manifests carry it. */
export function storeKeyOf(imageId: string): string {
  return imageId.slice(0, "sha512-".length + 64).toLowerCase();
}

/** A pod manifest's text as stage0 wrote it to `file`. */
export function parsePodManifest(text: string, file: string): PodManifest {
  let manifest: PodManifest;
  try {
    manifest = JSON.parse(text) as PodManifest;
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!manifest || !Array.isArray(manifest.apps)) throw new Error(`${file}: no "apps" list`);
  return manifest;
}

/** An entry of `net-info.json` as list and status read it (src/net/pod-network.ts writes it). */
export type PodNetwork = Omit<JoinedNetwork, "gateway">;

/** The entries of a `net-info.json` text. */
export function parsePodNetworks(text: string): PodNetwork[] {
  const entries = JSON.parse(text) as Partial<Record<keyof PodNetwork, unknown>>[] | null;
  return (entries ?? []).map((e) => ({
    netName: String(e.netName ?? ""),
    netConf: String(e.netConf ?? ""),
    ifName: String(e.ifName ?? ""),
    ip: String(e.ip ?? ""),
    args: String(e.args ?? ""),
    mask: String(e.mask ?? ""),
  }));
}

/** `NAME:ip4=IP` per network, joined by `, `, as list and status print them. */
export function formatNetworks(networks: readonly PodNetwork[]): string {
  return networks.map((n) => `${n.netName}:ip4=${n.ip}`).join(", ");
}
