import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root: relative paths in the environment are taken from here. */
const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** The gateway's one typed configuration, read from the environment once at start (STYLE §14). */
export interface GatewayConfig {
  /** The one port `npm start` listens on (PORT, default 8080). */
  readonly port: number;
  /** Interface to bind (HOST, default 127.0.0.1: loopback only until TLS is configured). */
  readonly host: string;
  /** Metadata, chunks and keys (CYXWIZ_DATA_DIR, default ./.cyxwiz-data under the project). */
  readonly dataDir: string;
  /** A PostgreSQL server (DATABASE_URL); unset: embedded PGlite in the data directory. */
  readonly databaseUrl: string | undefined;
  /** Lifetime of a sign-in token (CYXWIZ_SESSION_HOURS, default 12). */
  readonly sessionHours: number;
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
  /** Structured logs level (LOG_LEVEL, default info; "silent" turns them off). */
  readonly logLevel: string;
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
    rateLimitPerMinute: integer(env, "CYXWIZ_RATE_LIMIT", 1200, 1, 1_000_000),
    rateLimitAnonPerMinute: integer(env, "CYXWIZ_RATE_LIMIT_ANON", 120, 1, 1_000_000),
    loginFailuresPerAccount: integer(env, "CYXWIZ_LOGIN_LIMIT", 10, 1, 10_000),
    loginFailuresPerAddress: integer(env, "CYXWIZ_LOGIN_LIMIT_ADDRESS", 30, 1, 100_000),
    maxChunks: integer(env, "CYXWIZ_MAX_CHUNKS", 65_536, 1, 1_048_576),
    window,
    storeConcurrency: Math.min(window, integer(env, "CYXWIZ_STORE_CONCURRENCY", 4, 1, 64)),
    directIo: integer(env, "CYXWIZ_DIRECT_IO", 1, 0, 1) === 1,
    maxPayloadBytes: integer(env, "CYXWIZ_MAX_PAYLOAD_BYTES", 16 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    logLevel: env.LOG_LEVEL ?? "info",
  };
}
