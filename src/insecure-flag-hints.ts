// The flags that hints name for skipping a check, in one place: rkt 1.x spells them
// `--insecure-options=image` and `--insecure-options=tls`, and every hint follows a rename.

/** Accepts an image without a trusted signature. */
export const SKIP_IMAGE_VERIFICATION_FLAG = "--insecure-skip-verify";

/** Accepts a server's TLS certificate without checking it. */
export const SKIP_TLS_VERIFICATION_FLAG = "--insecure-skip-verify";
