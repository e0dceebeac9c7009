import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PASSWORD_LOG_N } from "./store/password-hash.js";

/** The project root: relative paths in the environment are taken from here. */
const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** The gateway's one typed configuration, read from the environment once at start (STYLE §14). */
export interface GatewayConfig {
  /** The one port `npm start` listens on (PORT, default 8080). */
  readonly port: number;
  /** Interface to bind (HOST, default 127.0.0.1; beyond loopback TLS is on unless CYXWIZ_INSECURE=1). */
  readonly host: string;
  /** Metadata, chunks and keys (CYXWIZ_DATA_DIR, default ./.cyxwiz-data under the project). */
  readonly dataDir: string;
  /** A PostgreSQL server (DATABASE_URL); unset: embedded PGlite in the data directory. */
  readonly databaseUrl: string | undefined;
  /** Lifetime of a sign-in token (CYXWIZ_SESSION_HOURS, default 12). */
  readonly sessionHours: number;
  /** Default lifetime of an API token, the first start's admin token included (CYXWIZ_API_TOKEN_DAYS, default 30). */
  readonly apiTokenDays: number;
  /** Requests per minute per signed-in user (CYXWIZ_RATE_LIMIT, default 1200). */
  readonly rateLimitPerMinute: number;
  /** Requests per minute per address without a valid token (CYXWIZ_RATE_LIMIT_ANON, default 120). */
  readonly rateLimitAnonPerMinute: number;
  /** Failed sign-ins per account per 15 minutes (CYXWIZ_LOGIN_LIMIT, default 10). */
  readonly loginFailuresPerAccount: number;
  /** Failed sign-ins per address per 15 minutes (CYXWIZ_LOGIN_LIMIT_ADDRESS, default 30). */
  readonly loginFailuresPerAddress: number;
  /** Most chunks one upload may have; sizes CommitUpload's body cap (CYXWIZ_MAX_CHUNKS, default 65536). */
  readonly maxChunks: number;
  /** Unacknowledged frames a client may have in flight (CYXWIZ_WINDOW, default 8). */
  readonly window: number;
  /** Chunks of one transfer written and recorded at once; at most `window` (CYXWIZ_STORE_CONCURRENCY). */
  readonly storeConcurrency: number;
  /** Chunk files written with O_DIRECT where the file system allows it (CYXWIZ_DIRECT_IO, 1 or 0; default 1). */
  readonly directIo: boolean;
  /** Largest frame payload accepted (CYXWIZ_MAX_PAYLOAD_BYTES, default 16 MiB). */
  readonly maxPayloadBytes: number;
  /**
   * Bytes one user's committed versions and unfinished uploads may take, stored
   * (CYXWIZ_USER_QUOTA_BYTES, default 100 GiB).
   */
  readonly userQuotaBytes: number;
  /**
   * Seconds between sweeps that delete dataset versions past their policy's expiry
   * (CYXWIZ_EXPIRY_SWEEP_SECONDS, default 300; docs/data-policy.md).
   */
  readonly expirySweepSeconds: number;
  /**
   * Lifetime of a worker's node token, in minutes (CYXWIZ_NODE_TOKEN_MINUTES, default 60;
   * docs/compute.md "Node tokens").
   */
  readonly nodeTokenMinutes: number;
  /**
   * Seconds between a worker's heartbeats (CYXWIZ_HEARTBEAT_SECONDS, default 5); a worker silent
   * for three of them is lost (docs/compute.md "Heartbeats").
   */
  readonly heartbeatSeconds: number;
  /**
   * scrypt's cost for new password hashes, log2 N (CYXWIZ_PASSWORD_COST, 10-20, default 17: OWASP's
   * minimum, about a second of one core here). Each hash records its own cost, so a change applies
   * to passwords set afterwards. Lower only where guessing offline does not matter (the tests).
   */
  readonly passwordCost: number;
  /** Structured logs level (LOG_LEVEL, default info; "silent" turns them off). */
  readonly logLevel: string;
  /**
   * TLS 1.3 for HTTPS, WSS and gRPC on the one port, or undefined for plaintext: on with
   * CYXWIZ_TLS_CERT + CYXWIZ_TLS_KEY, with CYXWIZ_TLS=1, and by itself for a HOST beyond loopback
   * (docs/operations.md, "Running beyond loopback").
   */
  readonly tls: TlsConfig | undefined;
  /** Plaintext on an interface beyond loopback, allowed only by CYXWIZ_INSECURE=1; warned about on every start. */
  readonly insecurePlaintext: boolean;
}

/** Where the TLS certificate and key come from. */
export type TlsConfig =
  /** PEM files the operator provides (CYXWIZ_TLS_CERT, CYXWIZ_TLS_KEY). */
  | { readonly source: "files"; readonly certFile: string; readonly keyFile: string }
  /** A self-signed certificate the gateway makes on first start and keeps in `dir` (cert.pem, key.pem). */
  | { readonly source: "generated"; readonly dir: string };

/** Whether HOST names only this machine's loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A configuration error names the variable and what it should look like. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** A 0/1 switch; undefined when unset or empty. */
function flag(env: Record<string, string | undefined>, name: string): boolean | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  if (text !== "0" && text !== "1") throw new ConfigError(`${name} must be 1 or 0, got ${JSON.stringify(text)}`);
  return text === "1";
}

/**
 * The TLS rules (docs/operations.md): CERT and KEY together or not at all; CYXWIZ_TLS=1 turns TLS
 * on for loopback too; beyond loopback TLS is on unless CYXWIZ_INSECURE=1 says otherwise.
 */
function tlsSettings(
  env: Record<string, string | undefined>,
  root: string,
): { tls: TlsConfig | undefined; insecurePlaintext: boolean } {
  const host = env.HOST ?? "127.0.0.1";
  const dataDir = resolve(root, env.CYXWIZ_DATA_DIR ?? ".cyxwiz-data");
  const path = (name: string) => {
    const text = env[name];
    return text === undefined || text === "" ? undefined : resolve(root, text);
  };
  const certFile = path("CYXWIZ_TLS_CERT");
  const keyFile = path("CYXWIZ_TLS_KEY");
  if (certFile === undefined && keyFile !== undefined)
    throw new ConfigError("CYXWIZ_TLS_KEY is set but CYXWIZ_TLS_CERT is not: give both PEM files, or neither");
  if (certFile !== undefined && keyFile === undefined)
    throw new ConfigError("CYXWIZ_TLS_CERT is set but CYXWIZ_TLS_KEY is not: give both PEM files, or neither");
  const tlsFlag = flag(env, "CYXWIZ_TLS");
  const insecure = flag(env, "CYXWIZ_INSECURE") === true;
  const loopback = isLoopbackHost(host);
  if (certFile !== undefined && keyFile !== undefined) {
    if (tlsFlag === false) throw new ConfigError("CYXWIZ_TLS=0 contradicts CYXWIZ_TLS_CERT and CYXWIZ_TLS_KEY");
    return { tls: { source: "files", certFile, keyFile }, insecurePlaintext: false };
  }
  const generated: TlsConfig = { source: "generated", dir: resolve(dataDir, "tls") };
  if (tlsFlag === true) return { tls: generated, insecurePlaintext: false };
  if (loopback) return { tls: undefined, insecurePlaintext: false };
  if (insecure) return { tls: undefined, insecurePlaintext: true };
  if (tlsFlag === false)
    throw new ConfigError(
      `HOST=${host} is beyond loopback: plaintext there needs CYXWIZ_INSECURE=1 (or leave CYXWIZ_TLS unset for TLS)`,
    );
  return { tls: generated, insecurePlaintext: false };
}

/** Reads the configuration from environment variables, with defaults that work on one machine. */
export function loadConfig(env: Record<string, string | undefined> = process.env, root = projectRoot): GatewayConfig {
  const portText = env.PORT ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a port number 0-65535, got ${JSON.stringify(portText)}`);
  const databaseUrl = env.DATABASE_URL === undefined || env.DATABASE_URL === "" ? undefined : env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must be a postgres:// or postgresql:// URL");
  }
  const window = integer(env, "CYXWIZ_WINDOW", 8, 1, 256);
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir: resolve(root, env.CYXWIZ_DATA_DIR ?? ".cyxwiz-data"),
    databaseUrl,
    sessionHours: integer(env, "CYXWIZ_SESSION_HOURS", 12, 1, 24 * 365),
    apiTokenDays: integer(env, "CYXWIZ_API_TOKEN_DAYS", 30, 1, 365),
    rateLimitPerMinute: integer(env, "CYXWIZ_RATE_LIMIT", 1200, 1, 1_000_000),
    rateLimitAnonPerMinute: integer(env, "CYXWIZ_RATE_LIMIT_ANON", 120, 1, 1_000_000),
    loginFailuresPerAccount: integer(env, "CYXWIZ_LOGIN_LIMIT", 10, 1, 10_000),
    loginFailuresPerAddress: integer(env, "CYXWIZ_LOGIN_LIMIT_ADDRESS", 30, 1, 100_000),
    maxChunks: integer(env, "CYXWIZ_MAX_CHUNKS", 65_536, 1, 1_048_576),
    window,
    storeConcurrency: Math.min(window, integer(env, "CYXWIZ_STORE_CONCURRENCY", 4, 1, 64)),
    directIo: integer(env, "CYXWIZ_DIRECT_IO", 1, 0, 1) === 1,
    maxPayloadBytes: integer(env, "CYXWIZ_MAX_PAYLOAD_BYTES", 16 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    userQuotaBytes: integer(env, "CYXWIZ_USER_QUOTA_BYTES", 100 * 1024 ** 3, 0, Number.MAX_SAFE_INTEGER),
    expirySweepSeconds: integer(env, "CYXWIZ_EXPIRY_SWEEP_SECONDS", 300, 1, 86_400),
    nodeTokenMinutes: integer(env, "CYXWIZ_NODE_TOKEN_MINUTES", 60, 1, 24 * 60),
    heartbeatSeconds: integer(env, "CYXWIZ_HEARTBEAT_SECONDS", 5, 1, 3600),
    passwordCost: integer(env, "CYXWIZ_PASSWORD_COST", DEFAULT_PASSWORD_LOG_N, 10, 20),
    logLevel: env.LOG_LEVEL ?? "info",
    ...tlsSettings(env, root),
  };
}
