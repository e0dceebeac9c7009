import { timestampDate } from "@bufbuild/protobuf/wkt";
import { toClientError } from "@cyxwiz/client";
import type { ApiToken } from "@cyxwiz/protocol/gen";
import { badInput } from "../exit-codes.js";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import type { Output } from "../output.js";
import { table } from "./ls.js";

/** The longest lifetime the gateway gives an API token, in days. */
const MAX_TOKEN_DAYS = 365;

export interface TokenCreateOptions extends GatewayOptions {
  label?: string;
  days?: string;
}

/**
 * `cyxwiz token create [--label L] [--days N] --gateway URL`: a new API token of the caller's.
 * The token alone goes to stdout (`> file` makes a `--token-file`), its id and expiry to stderr;
 * `--json` prints all of them as one object.
 */
export async function tokenCreateCommand(opts: TokenCreateOptions, out: Output): Promise<void> {
  const ttlDays = opts.days === undefined ? 0 : parseDays(opts.days);
  const { clients } = await openGateway(opts);
  let created: Awaited<ReturnType<typeof clients.auth.createApiToken>>;
  try {
    created = await clients.auth.createApiToken({ label: opts.label ?? "cli", ttlDays });
  } catch (e) {
    throw cliErrorOf(toClientError(e, `CreateApiToken at ${clients.baseUrl}`));
  }
  const expiresAt = created.expiresAt === undefined ? undefined : timestampDate(created.expiresAt).toISOString();
  out.result({ token: created.token, id: created.id, label: opts.label ?? "cli", expiresAt }, created.token);
  out.note(
    `created token ${created.id}, expires ${expiresAt ?? "never"}; revoke it with: cyxwiz token revoke ${created.id} --gateway ${clients.baseUrl}`,
  );
}

/** `cyxwiz token revoke <id> --gateway URL`: ends a token at once (the caller's own; an admin's: anyone's). */
export async function tokenRevokeCommand(id: string, opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  let revoked: ApiToken | undefined;
  try {
    revoked = (await clients.auth.revokeApiToken({ id })).token;
  } catch (e) {
    throw cliErrorOf(toClientError(e, `RevokeApiToken ${id} at ${clients.baseUrl}`));
  }
  const described = revoked === undefined ? { id } : describeToken(revoked);
  out.result(described, `revoked ${id}${revoked === undefined ? "" : ` (${revoked.label}, ${revoked.owner})`}`);
}

/** `cyxwiz token ls --gateway URL [--all]`: the caller's API tokens (an admin's `--all`: everyone's), newest first. */
export async function tokenLsCommand(opts: GatewayOptions & { all?: boolean }, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  let tokens: ApiToken[];
  try {
    tokens = (await clients.auth.listApiTokens({ allUsers: opts.all === true })).tokens;
  } catch (e) {
    throw cliErrorOf(toClientError(e, `ListApiTokens at ${clients.baseUrl}`));
  }
  const rows = tokens.map(describeToken);
  const text =
    rows.length === 0
      ? "no tokens"
      : table(
          ["ID", "LABEL", "OWNER", "CREATED", "EXPIRES", "REVOKED"],
          rows.map((r) => [r.id, r.label, r.owner, r.createdAt ?? "", r.expiresAt ?? "", r.revokedAt ?? ""]),
        );
  out.result({ tokens: rows }, text);
}

/** A token's record as JSON-friendly values. */
function describeToken(t: ApiToken) {
  const iso = (ts: ApiToken["createdAt"]) => (ts === undefined ? undefined : timestampDate(ts).toISOString());
  return {
    id: t.id,
    owner: t.owner,
    label: t.label,
    createdAt: iso(t.createdAt),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
  };
}

function parseDays(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > MAX_TOKEN_DAYS)
    throw badInput(`--days must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}, got ${JSON.stringify(text)}`);
  return n;
}
