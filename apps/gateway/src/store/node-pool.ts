import { ACTIVE_JOBS_SQL, ACTIVE_WORKERS_SQL } from "./job-repository.js";
import type { SqlQueryable } from "./sql-driver.js";
import { bytes, date, num, type Row } from "./sql-values.js";

// The workers as the job engine reads them (docs/compute.md "Scheduling"): the `nodes` table of
// migrations/0005_compute.sql. Registration, heartbeats and node tokens are NodeService's; the
// engine only reads nodes, marks them lost, and moves their reputation.

export interface PoolNode {
  readonly nodeId: string;
  readonly signingPublicKey: Uint8Array;
  readonly agreementPublicKey: Uint8Array;
  readonly kind: "daemon" | "browser";
  readonly label: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly backend: "webgpu" | "wasm" | "cpu";
  readonly region: string;
  readonly storageBytes: number;
  readonly state: "idle" | "busy" | "lost" | "left";
  readonly reputation: number;
  /** The person whose token registered it; undefined for an anonymous volunteer. */
  readonly operator: string | undefined;
  readonly lastHeartbeat: Date;
}

export interface NodePool {
  get(nodeId: string): Promise<PoolNode | undefined>;
  many(nodeIds: readonly string[]): Promise<PoolNode[]>;
  /** Nodes free to take work: idle, heard from since `since`, and in no unfinished job. */
  idle(since: Date): Promise<PoolNode[]>;
  /** Moves a node's reputation by `delta`, kept within 0–100. */
  adjustReputation(nodeId: string, delta: number): Promise<void>;
}

function toNode(r: Row): PoolNode {
  return {
    nodeId: String(r.node_id),
    signingPublicKey: bytes(r.signing_public_key),
    agreementPublicKey: bytes(r.agreement_public_key),
    kind: r.kind as PoolNode["kind"],
    label: String(r.label),
    cores: num(r.cores),
    memoryBytes: num(r.memory_bytes),
    backend: r.backend as PoolNode["backend"],
    region: String(r.region),
    storageBytes: num(r.storage_bytes),
    state: r.state as PoolNode["state"],
    reputation: num(r.reputation),
    operator: r.operator === null || r.operator === undefined ? undefined : String(r.operator),
    lastHeartbeat: date(r.last_heartbeat),
  };
}

/** The node pool over `db`. */
export function createNodePool(db: SqlQueryable): NodePool {
  return {
    async get(nodeId) {
      const { rows } = await db.query("SELECT * FROM nodes WHERE node_id = $1", [nodeId]);
      return rows[0] === undefined ? undefined : toNode(rows[0]);
    },
    async many(nodeIds) {
      const { rows } = await db.query("SELECT * FROM nodes WHERE node_id = ANY($1::text[])", [[...nodeIds]]);
      return rows.map(toNode);
    },
    async idle(since) {
      const { rows } = await db.query(
        // Idle and fresh, and holding no worker slot of an unfinished job: a worker reports
        // "idle" between rounds, and a node works for one job at a time.
        `SELECT * FROM nodes n WHERE n.state = 'idle' AND n.last_heartbeat > $1
           AND NOT EXISTS (SELECT 1 FROM job_workers w JOIN jobs j ON j.id = w.job_id
                           WHERE w.node_id = n.node_id
                             AND w.state IN ${ACTIVE_WORKERS_SQL} AND j.state IN ${ACTIVE_JOBS_SQL})
         ORDER BY n.node_id`,
        [since],
      );
      return rows.map(toNode);
    },
    async adjustReputation(nodeId, delta) {
      await db.query("UPDATE nodes SET reputation = LEAST(100, GREATEST(0, reputation + $2)) WHERE node_id = $1", [
        nodeId,
        delta,
      ]);
    },
  };
}
