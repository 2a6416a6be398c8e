/** The rkt release whose behaviour this rkt keeps: the stage1 image's version label, the User-Agent. */
export const RKT_VERSION = "0.8.0";
/**
 * The rkt command-line level `rkt version` reports, as podman reports the Docker API it
 * implements: every call of Nomad's rkt driver (which refuses rkt below 1.27.0) works, with
 * rkt 1.x's meaning; the README lists which 1.x commands and flags exist and which do not.
 */
export const RKT_CLI_VERSION = "1.27.0";
export const APPC_VERSION = "0.6.1";
