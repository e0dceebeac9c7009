import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { networkInterfaces, hostname as osHostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { createSecureContext } from "node:tls";
import { ConfigError, type TlsConfig } from "../config.js";
import { createSelfSignedCertificate } from "./self-signed-certificate.js";

/** The certificate and key the gateway serves TLS with, and what the start banner says about them. */
export interface TlsMaterial {
  /** PEM certificate (chain, leaf first). */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly source: TlsConfig["source"];
  /**
   * SHA-256 of the leaf certificate's DER bytes, upper-case hex pairs joined by colons: what
   * `openssl x509 -noout -fingerprint -sha256` and node:crypto's `X509Certificate.fingerprint256`
   * print, and what `cyxwiz … --pin-sha256` takes (docs/operations.md).
   */
  readonly fingerprint256: string;
  /** A generated certificate made on this start (first start, or the old one had expired). */
  readonly createdNow: boolean;
  /** Names of this machine a reused generated certificate does not cover (HOST or an address changed). */
  readonly uncoveredNames: readonly string[];
  readonly validTo: Date;
}

/**
 * The names a generated certificate covers: localhost, 127.0.0.1, ::1, the machine's host name,
 * and HOST itself, or for a wildcard HOST (0.0.0.0, ::) every non-loopback, non-link-local
 * address of the machine's interfaces.
 */
export function certificateNames(
  host: string,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
  hostname: string = osHostname(),
): string[] {
  const names = new Set(["localhost", "127.0.0.1", "::1"]);
  if (hostname !== "") names.add(hostname.toLowerCase());
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "0.0.0.0" || bare === "::") {
    for (const list of Object.values(interfaces))
      for (const a of list ?? []) if (!a.internal && !/^fe80:/i.test(a.address)) names.add(a.address.toLowerCase());
  } else {
    names.add(bare);
  }
  return [...names];
}

/**
 * Reads (and checks) or generates the TLS certificate and key:
 * - `files`: the operator's PEM files. A file that cannot be read, is not PEM, a key that is not
 *   the certificate's, or an expired certificate is a ConfigError naming the variable.
 * - `generated`: `dir/cert.pem` and `dir/key.pem` (mode 0600, `dir` 0700), made on first start
 *   for {@link certificateNames} and reused on every start after, so a client's pinned
 *   fingerprint stays valid; made again only once expired (the old pair is kept beside it).
 *
 * @throws ConfigError as above (main.ts prints it as one line and exits 2).
 */
export async function loadTlsMaterial(tls: TlsConfig, host: string, now = new Date()): Promise<TlsMaterial> {
  if (tls.source === "files") {
    const label = { cert: `CYXWIZ_TLS_CERT (${tls.certFile})`, key: `CYXWIZ_TLS_KEY (${tls.keyFile})` };
    const cert = await readPem(tls.certFile, label.cert);
    const key = await readPem(tls.keyFile, label.key);
    const x509 = checkPair(cert, key, label);
    const validTo = new Date(x509.validTo);
    if (validTo.getTime() <= now.getTime()) throw new ConfigError(`${label.cert} expired on ${validTo.toISOString()}`);
    return {
      cert,
      key,
      certPath: tls.certFile,
      keyPath: tls.keyFile,
      source: "files",
      fingerprint256: x509.fingerprint256,
      createdNow: false,
      uncoveredNames: [],
      validTo,
    };
  }
  return generatedMaterial(tls.dir, certificateNames(host), now);
}

async function generatedMaterial(dir: string, names: string[], now: Date): Promise<TlsMaterial> {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const label = { cert: `the generated certificate ${certPath}`, key: `the generated key ${keyPath}` };
  let createdNow = false;
  let cert = await readIfExists(certPath, label.cert);
  let key = await readIfExists(keyPath, label.key);
  if (cert !== undefined && key !== undefined) {
    const validTo = new Date(checkPair(cert, key, label).validTo);
    if (validTo.getTime() <= now.getTime()) {
      // Expired: keep the old pair for the record and make a new one (a new fingerprint to pin).
      await rename(dir, `${dir}.expired-${now.toISOString().replace(/[:.]/g, "-")}`);
      cert = undefined;
      key = undefined;
    }
  } else if (cert !== undefined || key !== undefined) {
    throw new ConfigError(
      `${dir} holds ${cert === undefined ? "key.pem but no cert.pem" : "cert.pem but no key.pem"}: ` +
        "remove the directory and start again to generate a new certificate",
    );
  }
  if (cert === undefined || key === undefined) {
    const made = await createSelfSignedCertificate(names, now);
    createdNow = await writePairOnce(dir, made);
    // Another gateway may have won the race to create the directory: serve what is on disk.
    cert = createdNow ? made.cert : await readPem(certPath, label.cert);
    key = createdNow ? made.key : await readPem(keyPath, label.key);
  }
  const x509 = checkPair(cert, key, label);
  const uncoveredNames = names.filter((n) =>
    isIP(n) === 0 ? x509.checkHost(n) === undefined : x509.checkIP(n) === undefined,
  );
  return {
    cert,
    key,
    certPath,
    keyPath,
    source: "generated",
    fingerprint256: x509.fingerprint256,
    createdNow,
    uncoveredNames,
    validTo: new Date(x509.validTo),
  };
}

/**
 * Writes cert.pem and key.pem (0600) into a fresh 0700 directory beside `dir` and renames it into
 * place, so the pair appears whole or not at all. Returns false when `dir` appeared meanwhile.
 */
async function writePairOnce(dir: string, pair: { cert: string; key: string }): Promise<boolean> {
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), `.${basename(dir)}-`));
  try {
    await writeFile(join(staging, "key.pem"), pair.key, { mode: 0o600 });
    await writeFile(join(staging, "cert.pem"), pair.cert, { mode: 0o600 });
    await rename(staging, dir);
    return true;
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw new ConfigError(`cannot write the generated certificate to ${dir}: ${code ?? (e as Error).message}`);
  }
}

async function readPem(path: string, label: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function readIfExists(path: string, label: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Parses both, checks that the key is the certificate's and that Node's TLS accepts them. */
function checkPair(cert: string, key: string, label: { cert: string; key: string }): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`${label.cert} is not a PEM X.509 certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(`${label.key} is not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new ConfigError(`${label.key} is not the private key of ${label.cert}`);
  try {
    createSecureContext({ cert, key, minVersion: "TLSv1.3" });
  } catch (e) {
    throw new ConfigError(`${label.cert} with ${label.key}: ${(e as Error).message}`);
  }
  return x509;
}
