import { networkInterfaces, hostname as osHostname } from "node:os";
import type { FirstStart } from "./auth/first-start.js";
import type { GatewayConfig } from "./config.js";
import type { TlsMaterial } from "./tls/tls-material.js";

/** What the start banner needs to know about the running gateway. */
export interface BannerFacts {
  readonly config: GatewayConfig;
  /** The port actually bound (PORT=0 picks one). */
  readonly port: number;
  readonly tls: TlsMaterial | undefined;
  readonly firstStart: FirstStart;
}

/**
 * The name a person on another machine can reach the gateway by. HOST as given, except a
 * wildcard (0.0.0.0, ::), which no client can connect to: then the machine's first external IPv4
 * address (an address works without DNS), else its first external IPv6 one, else its host name.
 * IPv6 literals come bracketed, ready for a URL.
 */
export function reachableHost(
  host: string,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
  hostname: string = osHostname(),
): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  if (bare !== "0.0.0.0" && bare !== "::") return bare.includes(":") ? `[${bare}]` : bare;
  const external = Object.values(interfaces).flatMap((list) => (list ?? []).filter((a) => !a.internal));
  const v4 = external.find((a) => a.family === "IPv4");
  if (v4 !== undefined) return v4.address;
  const v6 = external.find((a) => a.family === "IPv6" && !/^fe80:/i.test(a.address));
  if (v6 !== undefined) return `[${v6.address}]`;
  return hostname === "" ? "127.0.0.1" : hostname;
}

/** The gateway's URL as a client should use it: https under TLS, with a reachable host. */
export function gatewayUrl(facts: Pick<BannerFacts, "config" | "port" | "tls">): string {
  return `${facts.tls === undefined ? "http" : "https"}://${reachableHost(facts.config.host)}:${facts.port}/`;
}

/**
 * The warning printed (stderr and log) on every start that serves plaintext beyond loopback
 * (CYXWIZ_INSECURE=1), or undefined when there is nothing to warn about.
 */
export function insecureWarning(config: GatewayConfig): string | undefined {
  if (!config.insecurePlaintext) return undefined;
  return (
    `WARNING: CYXWIZ_INSECURE=1: serving plaintext HTTP on ${config.host}, beyond loopback. Passwords, tokens ` +
    "and unencrypted data cross the network readable by anyone on the path. Unset CYXWIZ_INSECURE for TLS " +
    "(docs/operations.md, Running beyond loopback)."
  );
}

/**
 * The lines printed once the gateway listens: the URL that works from where clients are (https
 * under TLS; for a wildcard HOST the machine's address, not 127.0.0.1), the certificate and its
 * SHA-256 fingerprint (the value `cyxwiz --pin-sha256` takes), the data directory and the admin
 * credentials' files.
 */
export function startBanner(facts: BannerFacts): string {
  const { config, port, tls, firstStart } = facts;
  const url = gatewayUrl(facts);
  const lines = ["", `CyxWiz gateway is up. Open ${url}`];
  const bare = config.host.replace(/^\[(.*)\]$/, "$1");
  if (bare === "0.0.0.0" || bare === "::")
    lines.push(
      `  listening on all interfaces (HOST=${config.host}); on this machine also ${gatewayUrlOn("127.0.0.1")}`,
    );
  if (tls !== undefined) {
    const origin =
      tls.source === "files"
        ? "from CYXWIZ_TLS_CERT"
        : `self-signed, generated${tls.createdNow ? " now" : ""}; browsers will ask you to accept it`;
    lines.push(`  TLS 1.3: certificate ${tls.certPath} (${origin}), valid until ${tls.validTo.toISOString()}`);
    lines.push(`  TLS certificate SHA-256 fingerprint: ${tls.fingerprint256}`);
    lines.push(`  cyxwiz clients: --pin-sha256 ${tls.fingerprint256}  (or --ca-file with a copy of ${tls.certPath})`);
    if (tls.uncoveredNames.length > 0)
      lines.push(
        `  note: the certificate does not name ${tls.uncoveredNames.join(", ")}; pinned clients still work, ` +
          `--ca-file ones need a name it has (delete ${tls.certPath.replace(/\/cert\.pem$/, "")} to generate a new one)`,
      );
  }
  lines.push(
    `  data directory: ${config.dataDir} (metadata: ${config.databaseUrl === undefined ? "embedded PGlite" : "PostgreSQL"})`,
    firstStart.created
      ? `  first start: created the admin account. Password: ${firstStart.passwordPath}  API token: ${firstStart.tokenPath}`
      : `  admin password: ${firstStart.passwordPath}  API token: ${firstStart.tokenPath}`,
    "",
  );
  return lines.join("\n");

  function gatewayUrlOn(host: string): string {
    return `${tls === undefined ? "http" : "https"}://${host}:${port}/`;
  }
}
