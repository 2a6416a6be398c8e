// What a fetch may do and whom it tells (rkt-cli.md §2.1): the options every fetch
// branch (store, file, URL, discovery, docker) reads.
import type { KeystoreDirs } from "../trust";

export interface FetchOptions {
  /** Store only: no discovery, no download (files are still imported). */
  local: boolean;
  /** No signature check, no keystore. */
  insecureSkipVerify: boolean;
  /** Any TLS certificate accepted. */
  insecureTls: boolean;
  /** Plain-http discovery pages and https→http redirects allowed. */
  insecureHttp: boolean;
  /** Where the trusted keys are (--system-config, --local-config). */
  keystore: KeystoreDirs;
  /** Hears of each good signature: the `rkt: signature verified:` lines naming its signer. */
  onSignatureVerified: (message: string) => void;
  /** Detached signature file for this image. */
  signature?: string;
  /** --trust-keys-from-https (default true): trust keys discovered over HTTPS without review. */
  trustKeysFromHttps?: boolean;
  /** Draw the download progress line when stderr is a terminal (default true; false for --quiet). */
  showProgress?: boolean;
  /** Informational lines (discovery, cache hits, key trust); stderr by default. */
  report?: (message: string) => void;
  /** The caller records the image's use itself (a pod's images, when the pod claims them): the index is not written for it. */
  useRecordedByCaller?: boolean;
}
