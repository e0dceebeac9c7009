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
}

/** A configuration error names the variable and what it should look like. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined> = process.env, root = projectRoot): GatewayConfig {
  const portText = env.PORT ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number 0-65535, got ${JSON.stringify(portText)}`);
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    dataDir: resolve(root, env.CYXWIZ_DATA_DIR ?? ".cyxwiz-data"),
  };
}
