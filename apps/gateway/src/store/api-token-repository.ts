import { checkLabel, checkUsername } from "./input-validation.js";
import type { SqlDriver } from "./sql-driver.js";
import { date, mapWriteError, notFound, type Row } from "./sql-values.js";
import { StoreError } from "./store-error.js";

/** An API token's id: "tok_" and 16-64 base64url characters (the token's `jti` claim). */
const tokenIdPattern = /^tok_[A-Za-z0-9_-]{16,64}$/;

/** The record of an API token (never the token itself). */
export interface ApiTokenRecord {
  readonly id: string;
  readonly owner: string;
  readonly label: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it was revoked; undefined while it is not. */
  readonly revokedAt: Date | undefined;
}

/** API tokens: recorded when created so they can be listed and revoked (ARCHITECTURE §7). */
export interface ApiTokenRepository {
  /**
   * Records a new token.
   * @throws StoreError `invalid_argument` (malformed id, owner or label; expiry not in the
   *   future), `not_found` (unknown owner), `already_exists` (id taken).
   */
  create(token: { id: string; owner: string; label: string; expiresAt: Date }): Promise<ApiTokenRecord>;
  /**
   * The token with this id, or undefined.
   * @throws StoreError `invalid_argument` for a malformed id.
   */
  find(id: string): Promise<ApiTokenRecord | undefined>;
  /**
   * Tokens newest first: `owner`'s, or everyone's when owner is undefined.
   * @throws StoreError `invalid_argument`.
   */
  list(owner: string | undefined): Promise<ApiTokenRecord[]>;
  /**
   * Revokes a token now; a revoked token keeps its first revocation time.
   * @throws StoreError `invalid_argument`, `not_found`.
   */
  revoke(id: string): Promise<ApiTokenRecord>;
  /** The ids of revoked tokens that have not expired yet (an expired token is refused anyway). */
  revokedIds(): Promise<string[]>;
}

/** An API token id, checked. @throws StoreError `invalid_argument`. */
export function checkTokenId(value: unknown, label = "token id"): string {
  if (typeof value !== "string" || !tokenIdPattern.test(value)) {
    throw new StoreError(
      "invalid_argument",
      `${label} must be "tok_" and 16-64 characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(String(value).slice(0, 80))}`,
    );
  }
  return value;
}

function toApiToken(r: Row): ApiTokenRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    label: String(r.label),
    createdAt: date(r.created_at),
    expiresAt: date(r.expires_at),
    revokedAt: r.revoked_at === null || r.revoked_at === undefined ? undefined : date(r.revoked_at),
  };
}

/** The API tokens repository over `db`. */
export function createApiTokenRepository(db: SqlDriver): ApiTokenRepository {
  return {
    async create(token) {
      const id = checkTokenId(token.id);
      const owner = checkUsername(token.owner, "owner");
      const label = checkLabel(token.label, "label", 100);
      if (!(token.expiresAt instanceof Date) || !(token.expiresAt.getTime() > Date.now())) {
        throw new StoreError("invalid_argument", "expiresAt must be a date in the future");
      }
      try {
        const { rows } = await db.query(
          "INSERT INTO api_tokens (id, owner, label, expires_at) VALUES ($1, $2, $3, $4::timestamptz) RETURNING *",
          [id, owner, label, token.expiresAt.toISOString()],
        );
        return toApiToken(rows[0] as Row);
      } catch (e) {
        throw mapWriteError(e, { unique: `token ${id} already exists`, foreignKey: `user ${owner} not found` });
      }
    },

    async find(id) {
      const { rows } = await db.query("SELECT * FROM api_tokens WHERE id = $1", [checkTokenId(id)]);
      return rows[0] === undefined ? undefined : toApiToken(rows[0]);
    },

    async list(owner) {
      const { rows } = await db.query(
        "SELECT * FROM api_tokens WHERE ($1::text IS NULL OR owner = $1) ORDER BY created_at DESC, id",
        [owner === undefined ? null : checkUsername(owner, "owner")],
      );
      return rows.map(toApiToken);
    },

    async revoke(id) {
      const { rows } = await db.query(
        "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *",
        [checkTokenId(id)],
      );
      if (rows[0] === undefined) throw notFound(`no token ${id}`);
      return toApiToken(rows[0]);
    },

    async revokedIds() {
      const { rows } = await db.query<{ id: unknown }>(
        "SELECT id FROM api_tokens WHERE revoked_at IS NOT NULL AND expires_at > now()",
      );
      return rows.map((r) => String(r.id));
    },
  };
}
