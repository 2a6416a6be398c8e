// A request that got no answer, said as what happened and what to try, instead of the
// runtime's text (`ECONNREFUSED: Unable to connect. Is the computer able to access the url?`).
import { SKIP_TLS_VERIFICATION_FLAG } from "../insecure-flag-hints";

/** The certificate checks that a self-signed, private-CA, expired or misnamed certificate fails. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Why a request to `url` failed before any answer. */
export function describeConnectionFailure(url: string, err: Error & { code?: string }): string {
  const host = new URL(url).host;
  switch (err.code) {
    case "ECONNREFUSED":
      return `connection refused by ${host}: is the server running and listening on that port?`;
    case "ENOTFOUND":
      return `host ${new URL(url).hostname} not found: check the name, or this machine's DNS`;
    case "ECONNRESET":
      return `${host} closed the connection before answering`;
  }
  if (err.code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(err.code)) {
    return `TLS certificate of ${host} not trusted (${err.message}): add its CA to the system's certificates, or skip the check with ${SKIP_TLS_VERIFICATION_FLAG}`;
  }
  return err.message;
}
