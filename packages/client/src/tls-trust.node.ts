import type { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { connect, type PeerCertificate, rootCertificates } from "node:tls";
import { ClientError } from "./client-error.js";
import { checkBaseUrl } from "./gateway-clients.js";

/** How a Node client decides to trust the gateway's TLS certificate (docs/operations.md). */
export interface TlsTrust {
  /**
   * PEM certificate(s) to verify the gateway's certificate against instead of the system's CAs:
   * the CA that issued it, or the gateway's own self-signed certificate (`--ca-file`).
   */
  readonly ca?: string;
  /**
   * The SHA-256 fingerprint of the gateway's certificate (the DER leaf), as the gateway's banner
   * prints it ("AB:CD:…") or as 64 hex digits (`--pin-sha256`). A certificate with any other
   * fingerprint is refused; the host name is then not checked (the pin says which certificate).
   */
  readonly pinSha256?: string;
}

/**
 * What Node's `tls.connect` needs to apply a {@link TlsTrust}: handed to https requests,
 * HTTP/2 sessions and `ws` alike, so every connection to the gateway is verified the same way.
 */
export interface TlsConnectOptions {
  readonly ca?: string | string[];
  readonly checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/**
 * The pin in the gateway banner's form: upper-case hex pairs joined by colons, 32 of them.
 *
 * @throws TypeError unless `text` is 64 hex digits, with or without colons between the pairs.
 */
export function parsePinSha256(text: string): string {
  const hex = typeof text === "string" ? text.trim().replaceAll(":", "") : "";
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new TypeError(
      `a SHA-256 pin is 64 hex digits, in pairs joined by colons or not (as the gateway prints it), got ${JSON.stringify(text)}`,
    );
  return hex.toUpperCase().match(/../g)!.join(":");
}

/**
 * Turns a {@link TlsTrust} into the options for every TLS connection to the gateway at `baseUrl`.
 *
 * A CA alone: the certificate must chain to it and name the host (Node's usual checks). A pin:
 * the gateway's certificate is fetched once (one handshake, nothing sent) and compared with the
 * pin, so a mismatch is refused before any request with both fingerprints named; that certificate
 * then joins the trusted ones (with the CA file, else the system's), so OpenSSL still verifies on
 * every connection that the gateway holds its key, and each connection's certificate is checked
 * against the pin again in place of the host name. Nothing is verified less than Node's default:
 * no option here turns `rejectUnauthorized` off for a real connection.
 *
 * @returns undefined when there is nothing to change from Node's defaults.
 * @throws TypeError for a pin that is not a SHA-256 fingerprint, or either option with a URL that
 *   is not https://; ClientError CYXW_CLIENT_TLS when the certificate does not match the pin,
 *   CYXW_CLIENT_UNREACHABLE when the gateway cannot be reached to read its certificate.
 */
export async function resolveTlsTrust(baseUrl: string, trust: TlsTrust): Promise<TlsConnectOptions | undefined> {
  const url = new URL(checkBaseUrl(baseUrl));
  if (trust.ca === undefined && trust.pinSha256 === undefined) return undefined;
  if (url.protocol !== "https:")
    throw new TypeError(
      `a CA file or a certificate pin needs an https:// gateway URL, got ${url.protocol}//${url.host}: plaintext has no certificate to check`,
    );
  if (trust.pinSha256 === undefined) return { ca: trust.ca! };
  const pin = parsePinSha256(trust.pinSha256);
  const presented = await peerCertificate(url);
  if (presented.fingerprint256 !== pin) throw pinMismatch(url.host, presented.fingerprint256, pin);
  const checkServerIdentity = (_host: string, cert: PeerCertificate): Error | undefined =>
    cert.fingerprint256 === pin ? undefined : pinMismatch(url.host, cert.fingerprint256, pin);
  return {
    ca: trust.ca !== undefined ? trust.ca : [...rootCertificates, presented.toString()],
    checkServerIdentity,
  };
}

function pinMismatch(host: string, presented: string, pin: string): ClientError {
  return new ClientError(
    "CYXW_CLIENT_TLS",
    `the gateway at ${host} presented a certificate with SHA-256 ${presented}, but the pin (--pin-sha256) is ${pin}: ` +
      "refusing to connect (another server, a new certificate, or someone in between)",
  );
}

/** One TLS handshake to read the certificate the gateway presents; nothing is sent over it. */
function peerCertificate(url: URL): Promise<X509Certificate> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port === "" ? 443 : Number(url.port);
  return new Promise((resolve, reject) => {
    // Verification is off for this one handshake only: its sole use is to read the certificate
    // and compare it with the pin; it carries no request.
    const socket = connect({
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
      timeout: 15_000,
    });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      if (cert === undefined)
        reject(new ClientError("CYXW_CLIENT_TLS", `the gateway at ${url.host} presented no certificate`));
      else resolve(cert);
    });
    socket.once("timeout", () => socket.destroy(new Error("timed out")));
    socket.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new ClientError(
          "CYXW_CLIENT_UNREACHABLE",
          `cannot reach the gateway at ${url.host} to read its certificate: ${e.code ?? e.message}`,
          { cause: e },
        ),
      ),
    );
  });
}
