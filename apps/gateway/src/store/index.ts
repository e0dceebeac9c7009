// The gateway's storage layer (ARCHITECTURE §5): what the rest of the gateway may use.
export { type ApiTokenRecord, type ApiTokenRepository, checkTokenId } from "./api-token-repository.js";
export type { AuditEntry, AuditLog } from "./audit-log.js";
export type { BlobPutOptions, BlobStore } from "./blob-store.js";
export { DATA_DIR_LOCK_FILE, type DataDirLock, lockDataDir } from "./data-dir-lock.js";
export {
  type DatasetRepository,
  type DatasetStatus,
  type DatasetVersionRecord,
  type DatasetVersionSummary,
  datasetStatuses,
  type ExpiredVersion,
  type ExpiryResult,
  type NewDatasetVersion,
  type PolicyChange,
} from "./dataset-repository.js";
export { createDirectoryBlobStore } from "./directory-blob-store.js";
export {
  ACTIVE_WORKER_STATES,
  FINISHED_JOB_STATES,
  JOB_STATES,
  type JobRecord,
  type JobRepository,
  type JobStateName,
  type KeyGrantRecord,
  type NewShard,
  type PastSpeed,
  type RoundRecord,
  type SampleRange,
  type ShardRecord,
  type UpdateRecord,
  type WorkerRecord,
  type WorkerStateName,
} from "./job-repository.js";
export {
  createMetadataStore,
  type MetadataStore,
  type MetadataStoreOptions,
  openMetadataStore,
} from "./metadata-store.js";
export { createNodePool, type NodePool, type PoolNode } from "./node-pool.js";
export {
  type ChallengeSpend,
  checkNewNode,
  checkNodeId,
  INITIAL_REPUTATION,
  type LiveNodeState,
  liveNodeStates,
  MAX_NODE_CORES,
  MAX_NODE_LABEL_LENGTH,
  MAX_NODE_REGION_LENGTH,
  type NewNode,
  type NodeBackend,
  type NodeKind,
  type NodeRecord,
  type NodeRepository,
  type NodeState,
  nodeBackends,
  nodeKinds,
  nodeStates,
} from "./node-repository.js";
export { hashPassword, type PasswordHashOptions, verifyPassword } from "./password-hash.js";
export type { SqlDriver } from "./sql-driver.js";
export { isStoreError, STORE_ERROR_CODES, StoreError, type StoreErrorCode } from "./store-error.js";
export type { StoreLogger } from "./store-logger.js";
export {
  type ChunkRecord,
  type Classification,
  type Codec,
  type CreateTransferOptions,
  classifications,
  codecs,
  type DeleteResult,
  type NewTransfer,
  type StorageUsage,
  type TransferRecord,
  type TransferRepository,
  type TransferState,
  transferStates,
} from "./transfer-repository.js";
export type { UserRecord, UserRepository } from "./user-repository.js";
