import { randomBytes } from "node:crypto";
import { isIP } from "node:net";

/** A certificate and its private key, both PEM. */
export interface PemPair {
  /** The X.509 certificate ("-----BEGIN CERTIFICATE-----"). */
  readonly cert: string;
  /** The PKCS #8 private key ("-----BEGIN PRIVATE KEY-----"). */
  readonly key: string;
}

/** How long a generated certificate is valid: 825 days, the CA/Browser Forum's limit for server certificates from 2018 to 2020. */
export const GENERATED_CERT_DAYS = 825;

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * Makes a self-signed server certificate for `names` (DNS names and IP addresses, all in the
 * subjectAltName; the first is also the subject's CN): an ECDSA P-256 key made with WebCrypto
 * and an X.509 v3 certificate built and signed by @peculiar/x509 (docs/decisions.md, "Generated
 * TLS certificates"): not a CA (basicConstraints cA=false), digitalSignature only, serverAuth,
 * valid from an hour ago (clock skew) for {@link GENERATED_CERT_DAYS} days.
 *
 * @throws RangeError when `names` is empty.
 * @example
 * const { cert, key } = await createSelfSignedCertificate(["localhost", "127.0.0.1", "::1"]);
 */
export async function createSelfSignedCertificate(names: readonly string[], now = new Date()): Promise<PemPair> {
  if (names.length === 0) throw new RangeError("a certificate needs at least one name");
  // @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect
  // metadata polyfill loaded first; both are loaded only when a certificate is made.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  const keys = await globalThis.crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"]);
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER (RFC 5280 §4.1.2.2)
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString("hex"),
    name: [{ CN: [names[0]!] }, { O: ["CyxWiz gateway (self-signed)"] }],
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + GENERATED_CERT_DAYS * 24 * 60 * 60 * 1000),
    signingAlgorithm: ECDSA_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIP(value) === 0 ? ("dns" as const) : ("ip" as const), value })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey("pkcs8", keys.privateKey));
  try {
    return { cert: certificate.toString("pem"), key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
  } finally {
    pkcs8.fill(0);
  }
}
