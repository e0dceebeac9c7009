import { join } from "node:path";
import { type ApiTokenRepository, createApiTokenRepository } from "./api-token-repository.js";
import { type AuditLog, createAuditLog } from "./audit-log.js";
import { createDatasetRepository, type DatasetRepository } from "./dataset-repository.js";
import { createJobRepository, type JobRepository } from "./job-repository.js";
import { applyMigrations } from "./migrations.js";
import { createNodePool, type NodePool } from "./node-pool.js";
import { createNodeRepository, type NodeRepository } from "./node-repository.js";
import { openPgliteDriver } from "./pglite-driver.js";
import { openPostgresDriver } from "./postgres-driver.js";
import type { SqlDriver } from "./sql-driver.js";
import { type StoreLogger, silentLogger } from "./store-logger.js";
import { createTransferRepository, type TransferRepository } from "./transfer-repository.js";
import { createUserRepository, type UserRepository } from "./user-repository.js";

/** The gateway's metadata: one PostgreSQL schema behind typed repositories (ARCHITECTURE §5). */
export interface MetadataStore {
  /** Which engine holds the data. */
  readonly driverKind: SqlDriver["kind"];
  readonly users: UserRepository;
  readonly transfers: TransferRepository;
  readonly datasets: DatasetRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly audit: AuditLog;
  /** Workers of the compute plane and their registration challenges (docs/compute.md). */
  readonly nodes: NodeRepository;
  /** Training jobs of the compute plane (docs/compute.md). */
  readonly jobs: JobRepository;
  /** The workers as the job engine reads them (NodeService registers them). */
  readonly nodePool: NodePool;
  /** Closes the database connection(s). Closing twice is harmless. */
  close(): Promise<void>;
}

/** Options for {@link openMetadataStore}. */
export interface MetadataStoreOptions {
  /** The gateway's data directory; embedded PGlite keeps its database in `<dataDir>/pgdata`. */
  readonly dataDir: string;
  /** A PostgreSQL URL (DATABASE_URL): when set, the store uses that server instead of PGlite. */
  readonly databaseUrl?: string | undefined;
  readonly logger?: StoreLogger | undefined;
}

/**
 * Opens the metadata store: a PostgreSQL server when `databaseUrl` is given, else embedded
 * PGlite in `<dataDir>/pgdata` (ARCHITECTURE §5, §8); brings its schema up to date; returns the
 * repositories.
 *
 * @throws StoreError `migration_mismatch`, or the driver's error when the database cannot be
 *   opened or reached.
 * @example
 * const store = await openMetadataStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, logger: app.log });
 * const user = await store.users.findByUsername("alice");
 */
export async function openMetadataStore(options: MetadataStoreOptions): Promise<MetadataStore> {
  const logger = options.logger ?? silentLogger;
  const driver =
    options.databaseUrl === undefined
      ? await openPgliteDriver(join(options.dataDir, "pgdata"))
      : await openPostgresDriver(options.databaseUrl, { logger });
  return createMetadataStore(driver, { logger });
}

/**
 * Builds the metadata store on an open driver, after bringing the schema up to date. The store
 * owns the driver from here: `close()` closes it, and so does a failed migration.
 *
 * @throws StoreError `migration_mismatch`, or the driver's error.
 */
export async function createMetadataStore(
  driver: SqlDriver,
  options: { logger?: StoreLogger | undefined } = {},
): Promise<MetadataStore> {
  const logger = options.logger ?? silentLogger;
  try {
    const report = await applyMigrations(driver, logger);
    logger.info({ driver: driver.kind, schemaVersion: report.current }, "metadata store: open");
  } catch (e) {
    await driver.close();
    throw e;
  }
  return {
    driverKind: driver.kind,
    users: createUserRepository(driver),
    transfers: createTransferRepository(driver),
    datasets: createDatasetRepository(driver),
    apiTokens: createApiTokenRepository(driver),
    audit: createAuditLog(driver),
    nodes: createNodeRepository(driver),
    jobs: createJobRepository(driver),
    nodePool: createNodePool(driver),
    close: () => driver.close(),
  };
}
