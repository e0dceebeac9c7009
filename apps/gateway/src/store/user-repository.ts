import { checkBoolean, checkLabel, checkUsername } from "./input-validation.js";
import type { SqlDriver } from "./sql-driver.js";
import { date, mapWriteError, num, type Row } from "./sql-values.js";

/** A gateway account. */
export interface UserRecord {
  readonly id: number;
  readonly username: string;
  /** A {@link hashPassword} string, never the password. */
  readonly passwordHash: string;
  readonly admin: boolean;
  readonly createdAt: Date;
}

/** Accounts. */
export interface UserRepository {
  /**
   * Creates an account.
   * @throws StoreError `invalid_argument` for a malformed username or empty hash,
   *   `already_exists` when the username is taken.
   */
  create(user: { username: string; passwordHash: string; admin?: boolean }): Promise<UserRecord>;
  /**
   * The account with this username, or undefined.
   * @throws StoreError `invalid_argument` for a malformed username.
   */
  findByUsername(username: string): Promise<UserRecord | undefined>;
  /** How many accounts exist (zero on a fresh install: time to create the first admin). */
  count(): Promise<number>;
}

function toUser(r: Row): UserRecord {
  return {
    id: num(r.id),
    username: String(r.username),
    passwordHash: String(r.password_hash),
    admin: r.admin === true,
    createdAt: date(r.created_at),
  };
}

/** The users repository over `db`. */
export function createUserRepository(db: SqlDriver): UserRepository {
  return {
    async create(user) {
      const username = checkUsername(user.username);
      const passwordHash = checkLabel(user.passwordHash, "passwordHash", 1024);
      const admin = checkBoolean(user.admin ?? false, "admin");
      try {
        const { rows } = await db.query(
          "INSERT INTO users (username, password_hash, admin) VALUES ($1, $2, $3) RETURNING *",
          [username, passwordHash, admin],
        );
        return toUser(rows[0] as Row);
      } catch (e) {
        throw mapWriteError(e, { unique: `user ${username} already exists` });
      }
    },
    async findByUsername(username) {
      const { rows } = await db.query("SELECT * FROM users WHERE username = $1", [checkUsername(username)]);
      return rows[0] === undefined ? undefined : toUser(rows[0]);
    },
    async count() {
      const { rows } = await db.query<{ n: unknown }>("SELECT count(*) AS n FROM users");
      return num(rows[0]?.n);
    },
  };
}
