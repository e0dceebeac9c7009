import pg from "pg";
import type { SqlDriver, SqlQueryable } from "./sql-driver.js";
import type { StoreLogger } from "./store-logger.js";

/** Options for {@link openPostgresDriver}. */
export interface PostgresDriverOptions {
  /** Most connections this process opens (default 10). Replicas multiply it: mind max_connections. */
  readonly maxConnections?: number;
  readonly logger?: StoreLogger;
}

function queryable(client: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    async query<R extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<R & pg.QueryResultRow>(sql, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      // Without parameters node-postgres uses the simple query protocol, which runs a script.
      await client.query(sql);
    },
  };
}

/**
 * Connects to a PostgreSQL server through a node-postgres pool: the scale-out path, where several
 * gateway replicas share one database (ARCHITECTURE §8). Checks the connection before returning,
 * so a wrong URL fails at start-up and not at the first request.
 *
 * @throws the driver's connection error when the server cannot be reached or refuses the login.
 */
export async function openPostgresDriver(databaseUrl: string, options: PostgresDriverOptions = {}): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  // An idle connection the server drops (restart, failover) surfaces here; without a listener it
  // would crash the process. The pool replaces it on next use.
  pool.on("error", (e) => options.logger?.warn({ err: e }, "metadata store: idle PostgreSQL connection failed"));
  try {
    await pool.query("SELECT 1");
  } catch (e) {
    await pool.end();
    throw e;
  }
  const direct = queryable(pool);
  let closed = false;
  return {
    kind: "postgres",
    query: direct.query,
    exec: direct.exec,
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const value = await fn(queryable(client));
        await client.query("COMMIT");
        return value;
      } catch (e) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
