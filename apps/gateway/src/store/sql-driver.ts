/**
 * The small surface the metadata store needs from a PostgreSQL connection, so the same store code
 * and the same migrations run on embedded PGlite and on a PostgreSQL server (ARCHITECTURE §5).
 *
 * Values cross it as the drivers give them, which differ slightly: an int8 column arrives as a
 * number from PGlite and as a string from node-postgres, a bytea as a Uint8Array or a Buffer.
 * The store converts every row it reads; nothing above it sees the difference.
 */
export interface SqlQueryable {
  /**
   * Runs one statement with `$1`-style parameters. Parameters are strings, numbers, booleans,
   * null, Uint8Array (bytea) or arrays of strings; JSON goes in as text and is cast in SQL.
   */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** The rows a statement returned, and how many rows it returned or changed. */
export interface SqlResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** A connection, or a pool of them, to one PostgreSQL database. */
export interface SqlDriver extends SqlQueryable {
  /** Which engine is behind it: for log lines and the few tests that differ. */
  readonly kind: "pglite" | "postgres";
  /**
   * Runs `fn` in one transaction (READ COMMITTED) on one connection: committed when `fn`
   * resolves, rolled back when it throws, and the error rethrown.
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Closes the connection(s); further queries fail. Closing twice is harmless. */
  close(): Promise<void>;
}
