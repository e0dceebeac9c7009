import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hashPassword, type MetadataStore } from "../store/index.js";
import { issueToken } from "./session-tokens.js";

/** What first start created, for the start-up message. */
export interface FirstStart {
  readonly created: boolean;
  readonly tokenPath: string;
  readonly passwordPath: string;
}

/**
 * On a fresh install creates the admin account with a random password, and writes that password
 * and a long-lived API token to the data directory (mode 0600): `admin-password` to sign in to the
 * dashboard, `admin-token` for the CLI (`--token-file`).
 */
export async function ensureAdmin(store: MetadataStore, dataDir: string, jwtKey: Uint8Array): Promise<FirstStart> {
  const tokenPath = join(dataDir, "admin-token");
  const passwordPath = join(dataDir, "admin-password");
  if ((await store.users.count()) > 0) return { created: false, tokenPath, passwordPath };
  const password = randomBytes(18).toString("base64url");
  await store.users.create({ username: "admin", passwordHash: await hashPassword(password), admin: true });
  const { token } = await issueToken(jwtKey, { username: "admin", admin: true }, 24 * 365);
  await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
  await writeFile(tokenPath, `${token}\n`, { mode: 0o600 });
  await store.audit.append({
    actor: "system",
    action: "user.create",
    subject: "user:admin",
    detail: { firstStart: true },
  });
  return { created: true, tokenPath, passwordPath };
}
