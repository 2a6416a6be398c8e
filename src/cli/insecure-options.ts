// The global `--insecure-options=LIST` of rkt 1.x, beside v0.8.0's `--insecure-skip-verify`
// (which switches off image, tls and http at once). rkt 1.x's names with its meanings, plus
// our `no-new-privs`; `capabilities` and `paths` are refused by name (this rkt cannot grant
// them), and `all`/`all-run` stand for what it can switch off.

/** What the list switches off. */
export interface InsecureOptions {
  /** `image`: no signature check of images. */
  image: boolean;
  /** `tls`: any TLS certificate is accepted. */
  tls: boolean;
  /** `http`: plain-http discovery pages and https→http redirects. */
  http: boolean;
  /** `pubkey`: `rkt trust` may fetch keys over plain http. */
  pubkey: boolean;
  /** The apps' confinement parts switched off for the pod: `seccomp`, `no-new-privs`. */
  run: string[];
}

/** Names accepted and what each stands for; `ondisk` switches off nothing (trees are never re-hashed at start). */
const EXPANSIONS: Record<string, readonly string[]> = {
  none: [],
  image: ["image"],
  tls: ["tls"],
  ondisk: [],
  http: ["http"],
  pubkey: ["pubkey"],
  seccomp: ["seccomp"],
  "no-new-privs": ["no-new-privs"],
  "all-fetch": ["image", "tls", "http", "pubkey"],
  "all-run": ["seccomp"],
  all: ["image", "tls", "http", "pubkey", "seccomp"],
};

const UNSUPPORTED: Record<string, string> = {
  capabilities: "apps keep the default capability set; grant capabilities with an os/linux/capabilities-retain-set isolator",
  paths: "the masked and read-only kernel paths stay as they are",
};

export const NO_INSECURE_OPTIONS: InsecureOptions = { image: false, tls: false, http: false, pubkey: false, run: [] };

/** Parses a comma list; throws naming an unknown or unsupported option. */
export function parseInsecureOptions(list: string): InsecureOptions {
  const chosen = new Set<string>();
  for (const option of list.split(",").map((o) => o.trim()).filter((o) => o !== "")) {
    const reason = UNSUPPORTED[option];
    if (reason !== undefined) throw new Error(`insecure option "${option}" is not supported by this rkt: ${reason}`);
    const expansion = EXPANSIONS[option];
    if (expansion === undefined) throw new Error(`unknown insecure option "${option}": known are ${Object.keys(EXPANSIONS).join(", ")}`);
    for (const part of expansion) chosen.add(part);
  }
  return {
    image: chosen.has("image"),
    tls: chosen.has("tls"),
    http: chosen.has("http"),
    pubkey: chosen.has("pubkey"),
    run: ["seccomp", "no-new-privs"].filter((o) => chosen.has(o)),
  };
}
