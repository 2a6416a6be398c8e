// The most rkt reads into memory from one input of each kind, network or file: a hostile
// or broken server (or `/dev/zero` given as a file) meets an error, not an exhausted host.
// Every limit is far above what a real input of its kind needs. Listed in the README.
export const MiB = 1024 * 1024;

export const SIZE_LIMITS = {
  /** An `?ac-discovery=1` HTML page. */
  discoveryPage: 2 * MiB,
  /** The `manifest` entry of an ACI. */
  imageManifest: 4 * MiB,
  /** A Docker registry's image manifest or manifest list. */
  dockerManifest: 4 * MiB,
  /** A Docker image config blob. */
  dockerImageConfig: 8 * MiB,
  /** A registry token service's answer. */
  registryToken: 1 * MiB,
  /** A detached OpenPGP signature, downloaded or from a file. */
  signature: 1 * MiB,
  /** An OpenPGP public key, downloaded or from a file. */
  publicKey: 4 * MiB,
  /** `--pod-manifest` and `actool patch-manifest --manifest` files. */
  manifestFile: 4 * MiB,
} as const;

/** `2 MiB`: how errors name a limit. */
export function describeLimit(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}
