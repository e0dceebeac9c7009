import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { hashPassword, type MetadataStore } from "../store/index.js";
import { createApiToken } from "./api-tokens.js";

/** What first start created, for the start-up message. */
export interface FirstStart {
  readonly created: boolean;
  /**
   * The admin-token file held a token from before tokens could be revoked (no id): it was
   * replaced by a recorded one, since the old one is refused now.
   */
  readonly tokenRenewed: boolean;
  readonly tokenPath: string;
  readonly passwordPath: string;
}

/**
 * On a fresh install creates the admin account with a random password, and writes that password
 * and an API token (`apiTokenDays` long, recorded and revocable like any other) to the data
 * directory (mode 0600): `admin-password` to sign in to the dashboard, `admin-token` for the CLI
 * (`--token-file`). The password is hashed at scrypt cost `passwordCost` (log2 N).
 */
export async function ensureAdmin(
  store: MetadataStore,
  dataDir: string,
  jwtKey: Uint8Array,
  apiTokenDays: number,
  passwordCost: number,
): Promise<FirstStart> {
  const tokenPath = join(dataDir, "admin-token");
  const passwordPath = join(dataDir, "admin-password");
  const admin = { username: "admin", admin: true };
  const label = "admin token (first start)";
  if ((await store.users.count()) > 0) {
    const tokenRenewed = await renewUnrevocableToken(tokenPath, async () => {
      const user = await store.users.findByUsername("admin");
      if (user === undefined || !user.admin) return undefined;
      return (await createApiToken(store, jwtKey, admin, { label, days: apiTokenDays, actor: "system" })).token;
    });
    return { created: false, tokenRenewed, tokenPath, passwordPath };
  }
  const password = randomBytes(18).toString("base64url");
  await store.users.create({
    username: "admin",
    passwordHash: await hashPassword(password, { logN: passwordCost }),
    admin: true,
  });
  await store.audit.append({
    actor: "system",
    action: "user.create",
    subject: "user:admin",
    detail: { firstStart: true },
  });
  const { token } = await createApiToken(store, jwtKey, admin, { label, days: apiTokenDays, actor: "system" });
  await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
  await writeFile(tokenPath, `${token}\n`, { mode: 0o600 });
  return { created: true, tokenRenewed: false, tokenPath, passwordPath };
}

/** Replaces the token in `path` with `issue()`'s when it has no id (`jti`): such a token is refused now. */
async function renewUnrevocableToken(path: string, issue: () => Promise<string | undefined>): Promise<boolean> {
  let old: string;
  try {
    old = (await readFile(path, "utf8")).trim();
  } catch {
    return false; // removed by the operator: nothing to renew
  }
  let jti: unknown;
  try {
    jti = decodeJwt(old).jti;
  } catch {
    return false; // not a token of ours
  }
  if (typeof jti === "string" && jti !== "") return false;
  const token = await issue();
  if (token === undefined) return false;
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return true;
}
