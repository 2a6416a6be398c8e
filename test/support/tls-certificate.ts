// A self-signed certificate for 127.0.0.1, made with the real openssl, for test servers on loopback.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface TlsCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** Writes `tls.crt` and `tls.key` into `dir` (valid one day, subject and SAN 127.0.0.1). */
export function selfSignedCertificate(dir: string): TlsCertificate {
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  const made = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    { stdin: "ignore" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile, keyFile };
}
