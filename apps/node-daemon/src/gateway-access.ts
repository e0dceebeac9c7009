import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  connectGateway,
  type GatewayClients,
  isClientError,
  nodeWebSocketWith,
  parsePinSha256,
  resolveTlsTrust,
  type TlsConnectOptions,
  type WebSocketFactory,
} from "@cyxwiz/client";
import { badInput, CliError, ExitCode } from "./exit-codes.js";

/** The options every gateway command takes. */
export interface GatewayOptions {
  gateway: string;
  tokenFile?: string;
  /** PEM CA (or the gateway's own certificate) to verify an https gateway with; default CYXWIZ_CA_FILE. */
  caFile?: string;
  /** The SHA-256 fingerprint the gateway's certificate must have (as its start banner prints it). */
  pinSha256?: string;
}

/** A connected gateway: its Connect clients and a frames WebSocket with the same TLS trust. */
export interface GatewayAccess {
  readonly clients: GatewayClients;
  readonly createWebSocket: WebSocketFactory;
}

/**
 * Connects to the gateway with the caller's token: `--token-file <path>` when given, else the
 * `CYXWIZ_TOKEN` environment variable. Files and variables keep the token out of `ps` output
 * and shell history, which a `--token` option would not.
 *
 * An https gateway's certificate is verified against `--ca-file` (or CYXWIZ_CA_FILE) instead of
 * the system's CAs, and with `--pin-sha256` must be the pinned one (docs/operations.md); both go
 * to the Connect calls and the frames WebSocket alike.
 *
 * @throws CliError (exit 2) when there is no token, the token file or CA file cannot be read, the
 *   URL, token or pin is malformed, or the gateway's certificate does not match the pin.
 */
export async function openGateway(opts: GatewayOptions): Promise<GatewayAccess> {
  let token: string;
  if (opts.tokenFile !== undefined) {
    try {
      token = (await readFile(opts.tokenFile, "utf8")).trim();
    } catch (e) {
      throw badInput(`cannot read token file ${opts.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (token === "") throw badInput(`token file ${opts.tokenFile} is empty`);
  } else {
    token = (process.env.CYXWIZ_TOKEN ?? "").trim();
    if (token === "")
      throw badInput(
        "no token: set CYXWIZ_TOKEN or pass --token-file <path> (a session token from the dashboard or AuthService.Login)",
      );
  }
  const tls = await tlsTrust(opts);
  try {
    return {
      clients: connectGateway({ baseUrl: opts.gateway, token }, tls === undefined ? {} : { tls }),
      createWebSocket: nodeWebSocketWith(tls),
    };
  } catch (e) {
    throw badInput(
      e instanceof TypeError && /gateway URL/.test(e.message)
        ? `--gateway: ${e.message}`
        : `the token: ${(e as Error).message}`,
    );
  }
}

/** The TLS options for `--ca-file` / CYXWIZ_CA_FILE and `--pin-sha256`; undefined for Node's defaults. */
async function tlsTrust(opts: GatewayOptions): Promise<TlsConnectOptions | undefined> {
  const caFile = opts.caFile ?? (process.env.CYXWIZ_CA_FILE === "" ? undefined : process.env.CYXWIZ_CA_FILE);
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = await readFile(caFile, "utf8");
    } catch (e) {
      throw badInput(`cannot read CA file ${caFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      new X509Certificate(ca);
    } catch {
      throw badInput(`CA file ${caFile} holds no PEM certificate`);
    }
  }
  let pinSha256: string | undefined;
  if (opts.pinSha256 !== undefined) {
    try {
      pinSha256 = parsePinSha256(opts.pinSha256);
    } catch (e) {
      throw badInput(`--pin-sha256: ${(e as Error).message}`);
    }
  }
  try {
    return await resolveTlsTrust(opts.gateway, {
      ...(ca === undefined ? {} : { ca }),
      ...(pinSha256 === undefined ? {} : { pinSha256 }),
    });
  } catch (e) {
    if (e instanceof TypeError) throw badInput(`--gateway: ${e.message}`);
    throw cliErrorOf(e);
  }
}

/**
 * The CLI's error for a client failure: corrupt downloaded data is a verification failure
 * (exit 1); everything else (auth, unreachable, refused, not found, wrong key) is exit 2.
 * Anything that is not a ClientError is returned unchanged.
 */
export function cliErrorOf(e: unknown): unknown {
  if (!isClientError(e)) return e;
  // A certificate the CLI does not trust yet: say how to trust it (docs/operations.md).
  const hint =
    e.code === "CYXW_CLIENT_TLS" && !e.message.includes("--pin-sha256")
      ? " (trust the gateway with --ca-file PATH or --pin-sha256 FINGERPRINT, as its start banner prints them)"
      : "";
  return new CliError(
    `${e.message}${hint} [${e.code}]`,
    e.code === "CYXW_CLIENT_INTEGRITY" ? ExitCode.VERIFICATION_FAILED : ExitCode.BAD_INPUT,
  );
}
