// Direct HTTPS: the certificate and key named by --tls-cert and --tls-key, read and checked
// before the relay listens, so a wrong path or a key of another certificate stops it at once
// with the flag's name rather than on a phone's first connection.

import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import type { TlsFiles } from "./config";

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

function read(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new Error(`${flag} ${file}: cannot read it (${why})`);
  }
}

export function loadTls(files: TlsFiles): TlsCredentials {
  const cert = read(files.certFile, "--tls-cert");
  const key = read(files.keyFile, "--tls-key");
  try {
    // The same check https.createServer makes, with a message that names the files.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new Error(
      `--tls-cert ${files.certFile} and --tls-key ${files.keyFile} are not a PEM certificate and its private key ` +
        `(${(err as Error).message})`,
    );
  }
  return { cert, key };
}
