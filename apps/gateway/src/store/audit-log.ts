import { checkInteger, checkLabel } from "./input-validation.js";
import type { SqlDriver } from "./sql-driver.js";
import { date, num, type Row } from "./sql-values.js";
import { StoreError } from "./store-error.js";

const maxAuditDetailBytes = 16 * 1024;

/** One audit log entry. `detail` is a JSON object. */
export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: Record<string, unknown>;
}

/** The append-only audit log (ARCHITECTURE §7). */
export interface AuditLog {
  /**
   * Appends one entry. `actor` ("user:alice", "node:…"), `subject` (what was accessed) and
   * `action` are short labels; `detail` a JSON object of at most 16 KiB.
   * @throws StoreError `invalid_argument`.
   */
  append(entry: {
    actor: string;
    action: string;
    subject: string;
    detail?: Record<string, unknown>;
  }): Promise<AuditEntry>;
  /**
   * Entries newest first: at most `limit` (default 100, at most 1000), older than id `before`
   * when given (for paging), about `subject` when given.
   * @throws StoreError `invalid_argument`.
   */
  list(query?: { limit?: number; before?: number; subject?: string }): Promise<AuditEntry[]>;
}

function toAuditEntry(r: Row): AuditEntry {
  return {
    id: num(r.id),
    at: date(r.at),
    actor: String(r.actor),
    action: String(r.action),
    subject: String(r.subject),
    detail: r.detail as Record<string, unknown>,
  };
}

/** The audit log over `db`. */
export function createAuditLog(db: SqlDriver): AuditLog {
  return {
    async append(entry) {
      const actor = checkLabel(entry.actor, "actor", 256);
      const action = checkLabel(entry.action, "action", 64);
      const subject = checkLabel(entry.subject, "subject", 512);
      const detail = entry.detail ?? {};
      if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
        throw new StoreError("invalid_argument", "detail must be a JSON object");
      }
      let json: string;
      try {
        json = JSON.stringify(detail);
      } catch (e) {
        throw new StoreError("invalid_argument", `detail must be serialisable as JSON: ${(e as Error).message}`);
      }
      if (Buffer.byteLength(json) > maxAuditDetailBytes) {
        throw new StoreError("invalid_argument", `detail must be at most ${maxAuditDetailBytes} bytes of JSON`);
      }
      // PostgreSQL's jsonb has no room for U+0000.
      if (json.includes("\\u0000")) throw new StoreError("invalid_argument", "detail must not contain U+0000");
      // JSON crosses as text and is cast in SQL, so neither driver re-encodes it.
      const { rows } = await db.query(
        "INSERT INTO audit_log (actor, action, subject, detail) VALUES ($1, $2, $3, $4::text::jsonb) RETURNING *",
        [actor, action, subject, json],
      );
      return toAuditEntry(rows[0] as Row);
    },

    async list(query = {}) {
      const limit = checkInteger(query.limit ?? 100, "limit", 1, 1000);
      const before =
        query.before === undefined ? null : checkInteger(query.before, "before", 1, Number.MAX_SAFE_INTEGER);
      const subject = query.subject === undefined ? null : checkLabel(query.subject, "subject", 512);
      const { rows } = await db.query(
        `SELECT * FROM audit_log
         WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR subject = $2)
         ORDER BY id DESC LIMIT $3`,
        [before, subject, limit],
      );
      return rows.map(toAuditEntry);
    },
  };
}
