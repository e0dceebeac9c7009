import { readFile } from "node:fs/promises";
import { connectGateway, type GatewayClients, isClientError } from "@cyxwiz/client";
import { badInput, CliError, ExitCode } from "./exit-codes.js";

/** The options every gateway command takes. */
export interface GatewayOptions {
  gateway: string;
  tokenFile?: string;
}

/**
 * Connects to the gateway with the caller's token: `--token-file <path>` when given, else the
 * `CYXWIZ_TOKEN` environment variable. Files and variables keep the token out of `ps` output
 * and shell history, which a `--token` option would not.
 *
 * @throws CliError (exit 2) when there is no token, the token file cannot be read, or the URL or
 *   token is malformed.
 */
export async function openGateway(opts: GatewayOptions): Promise<GatewayClients> {
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
  try {
    return connectGateway({ baseUrl: opts.gateway, token });
  } catch (e) {
    throw badInput(
      e instanceof TypeError && /gateway URL/.test(e.message)
        ? `--gateway: ${e.message}`
        : `the token: ${(e as Error).message}`,
    );
  }
}

/**
 * The CLI's error for a client failure: corrupt downloaded data is a verification failure
 * (exit 1); everything else (auth, unreachable, refused, not found, wrong key) is exit 2.
 * Anything that is not a ClientError is returned unchanged.
 */
export function cliErrorOf(e: unknown): unknown {
  if (!isClientError(e)) return e;
  return new CliError(
    `${e.message} [${e.code}]`,
    e.code === "CYXW_CLIENT_INTEGRITY" ? ExitCode.VERIFICATION_FAILED : ExitCode.BAD_INPUT,
  );
}
