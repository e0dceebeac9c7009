import { nodeIdOf, REGISTRATION_NONCE_BYTES } from "@cyxwiz/protocol/crypto";
import { checkBytes, checkInteger, checkOneOf, checkUsername } from "./input-validation.js";
import type { SqlDriver } from "./sql-driver.js";
import { bytes, date, mapWriteError, notFound, num, type Row } from "./sql-values.js";
import { StoreError } from "./store-error.js";

/** What a worker is: `cyxwiz daemon` or a volunteer's browser tab (the schema's CHECK repeats it). */
export const nodeKinds = ["daemon", "browser"] as const;
export type NodeKind = (typeof nodeKinds)[number];

/** The backend a worker trains with. */
export const nodeBackends = ["webgpu", "wasm", "cpu"] as const;
export type NodeBackend = (typeof nodeBackends)[number];

/** A worker's state: idle and busy are live; lost (silent past its lease) and left are not. */
export const nodeStates = ["idle", "busy", "lost", "left"] as const;
export type NodeState = (typeof nodeStates)[number];

/** The states of a live worker, the only ones a heartbeat may report. */
export const liveNodeStates = ["idle", "busy"] as const;
export type LiveNodeState = (typeof liveNodeStates)[number];

/** A new worker's reputation (0-100; the schema's default). */
export const INITIAL_REPUTATION = 50;

/** Most cores a worker may announce; longest label and region, in characters (the schema's CHECKs). */
export const MAX_NODE_CORES = 4096;
export const MAX_NODE_LABEL_LENGTH = 128;
export const MAX_NODE_REGION_LENGTH = 64;

const KEY_BYTES = 32;
const nodeIdPattern = /^node_[0-9a-f]{32}$/;
// Controls (Cc), the Unicode line and paragraph separators, lone surrogates (Cs).
const controlPattern = /[\p{Cc}\u2028\u2029]|\p{Cs}/u;

/** A registered worker (docs/compute.md). */
export interface NodeRecord {
  /** nodeIdOf(signingPublicKey): "node_" and 32 hex digits. */
  readonly nodeId: string;
  /** Ed25519, 32 bytes: the worker's identity. */
  readonly signingPublicKey: Uint8Array;
  /** X25519, 32 bytes: chunk keys are wrapped to it. */
  readonly agreementPublicKey: Uint8Array;
  readonly kind: NodeKind;
  readonly label: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly backend: NodeBackend;
  readonly region: string;
  readonly storageBytes: number;
  readonly state: NodeState;
  /** 0-100: starts at {@link INITIAL_REPUTATION}. */
  readonly reputation: number;
  /** The person whose token registered it (their own worker), or null for an anonymous volunteer. */
  readonly operator: string | null;
  /** Raised at every registration: node tokens carry it, so an older token stops working. */
  readonly session: number;
  /** The first registration. */
  readonly registeredAt: Date;
  readonly lastHeartbeat: Date;
}

/** What a worker registers with. */
export interface NewNode {
  readonly signingPublicKey: Uint8Array;
  readonly agreementPublicKey: Uint8Array;
  readonly kind: NodeKind;
  readonly label: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly backend: NodeBackend;
  readonly region: string;
  readonly storageBytes: number;
  readonly operator: string | null;
}

/** How spending a registration nonce went. */
export type ChallengeSpend = "spent" | "expired" | "unknown";

/** Workers and the registration challenges they sign (docs/compute.md "Principals"). */
export interface NodeRepository {
  /**
   * Records a nonce handed out by GetChallenge, good for one Register until `expiresAt`; expired
   * ones are purged on the way.
   * @throws StoreError `invalid_argument` (not 32 bytes, not a date), `already_exists`.
   */
  createChallenge(nonce: Uint8Array, expiresAt: Date): Promise<void>;
  /**
   * Spends a nonce, in one statement (two Registers with the same nonce: one wins): "spent" when
   * it was there and unexpired at `now`, "expired" when it was there but past its time, "unknown"
   * when it was never handed out or is spent already. Expired nonces are purged on the way.
   * @throws StoreError `invalid_argument`.
   */
  spendChallenge(nonce: Uint8Array, now: Date): Promise<ChallengeSpend>;
  /**
   * Registers a worker, its id derived from its signing key: a new one starts idle with
   * reputation {@link INITIAL_REPUTATION} and session 1; a known key gets its agreement key,
   * kind, capacity, label and operator replaced, state idle, a fresh heartbeat and session + 1
   * (its reputation and first registration time stay).
   * @throws StoreError `invalid_argument` (a key not 32 bytes, a kind, backend or state not in
   *   the lists above, cores beyond {@link MAX_NODE_CORES}, a byte count that is not a safe
   *   non-negative integer, a label or region too long or with control characters, a malformed
   *   operator), `not_found` (no such operator), `conflict` (another key has this node id).
   */
  register(node: NewNode): Promise<NodeRecord>;
  /** The worker with this id, or undefined. @throws StoreError `invalid_argument`. */
  get(nodeId: string): Promise<NodeRecord | undefined>;
  /** Every worker, most recently registered first. */
  list(): Promise<NodeRecord[]>;
  /** The live workers (idle or busy), longest-registered first. */
  live(): Promise<NodeRecord[]>;
  /**
   * Records a heartbeat of registration `session` of a live worker: its state and the time.
   * @returns the updated record, or undefined when no live worker has this id and session (it
   *   re-registered since, was marked lost, or left: it should register again).
   * @throws StoreError `invalid_argument`.
   */
  heartbeat(nodeId: string, session: number, state: LiveNodeState): Promise<NodeRecord | undefined>;
  /** Sets a worker's state. @throws StoreError `invalid_argument`, `not_found`. */
  setState(nodeId: string, state: NodeState): Promise<NodeRecord>;
  /**
   * Marks lost every live worker whose last heartbeat is before `olderThan`.
   * @returns the ids of the workers newly marked lost.
   * @throws StoreError `invalid_argument`.
   */
  markLost(olderThan: Date): Promise<string[]>;
  /**
   * Adds `delta` (negative to lower) to a worker's reputation, kept within [0, 100].
   * @returns the new reputation.
   * @throws StoreError `invalid_argument` (a delta that is not finite), `not_found`.
   */
  adjustReputation(nodeId: string, delta: number): Promise<number>;
}

function invalid(message: string): StoreError {
  return new StoreError("invalid_argument", message);
}

/** A node id: "node_" and 32 lowercase hex digits (nodeIdOf). @throws StoreError `invalid_argument`. */
export function checkNodeId(value: unknown, label = "node id"): string {
  if (typeof value !== "string" || !nodeIdPattern.test(value)) {
    throw invalid(`${label} must be "node_" and 32 hex digits, got ${JSON.stringify(String(value).slice(0, 80))}`);
  }
  return value;
}

function checkDate(value: unknown, label: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(`${label} must be a valid Date`);
  return value;
}

function checkByteCount(value: unknown, label: string): number {
  return checkInteger(value, label, 0, Number.MAX_SAFE_INTEGER);
}

/** Free text of at most `maxLength` characters (empty allowed), without control characters. */
function checkText(value: unknown, label: string, maxLength: number): string {
  if (typeof value !== "string") throw invalid(`${label} must be a string`);
  const length = [...value].length; // characters, as the schema's char_length counts them
  if (length > maxLength) throw invalid(`${label} must be at most ${maxLength} characters, got ${length}`);
  if (controlPattern.test(value)) throw invalid(`${label} must not contain control characters`);
  return value;
}

/**
 * A worker's registration, checked as {@link NodeRepository.register} checks it (NodeService
 * checks it before spending the challenge nonce, so a refused registration spends nothing).
 * @throws StoreError `invalid_argument`, naming the field.
 */
export function checkNewNode(node: NewNode): NewNode {
  return {
    signingPublicKey: checkBytes(node.signingPublicKey, "signing public key", KEY_BYTES),
    agreementPublicKey: checkBytes(node.agreementPublicKey, "agreement public key", KEY_BYTES),
    kind: checkOneOf(node.kind, "kind", nodeKinds),
    label: checkText(node.label, "label", MAX_NODE_LABEL_LENGTH),
    cores: checkInteger(node.cores, "cores", 0, MAX_NODE_CORES),
    memoryBytes: checkByteCount(node.memoryBytes, "memory bytes"),
    backend: checkOneOf(node.backend, "backend", nodeBackends),
    region: checkText(node.region, "region", MAX_NODE_REGION_LENGTH),
    storageBytes: checkByteCount(node.storageBytes, "storage bytes"),
    operator: node.operator === null ? null : checkUsername(node.operator, "operator"),
  };
}

function toNode(r: Row): NodeRecord {
  return {
    nodeId: String(r.node_id),
    signingPublicKey: bytes(r.signing_public_key),
    agreementPublicKey: bytes(r.agreement_public_key),
    kind: String(r.kind) as NodeKind,
    label: String(r.label),
    cores: num(r.cores),
    memoryBytes: num(r.memory_bytes),
    backend: String(r.backend) as NodeBackend,
    region: String(r.region),
    storageBytes: num(r.storage_bytes),
    state: String(r.state) as NodeState,
    reputation: num(r.reputation),
    operator: r.operator === null || r.operator === undefined ? null : String(r.operator),
    session: num(r.session),
    registeredAt: date(r.registered_at),
    lastHeartbeat: date(r.last_heartbeat),
  };
}

/** The nodes repository over `db`. */
export function createNodeRepository(db: SqlDriver): NodeRepository {
  return {
    async createChallenge(nonce, expiresAt) {
      const n = checkBytes(nonce, "nonce", REGISTRATION_NONCE_BYTES);
      const at = checkDate(expiresAt, "expiresAt");
      try {
        await db.query(
          `WITH purged AS (DELETE FROM node_challenges WHERE expires_at <= now())
           INSERT INTO node_challenges (nonce, expires_at) VALUES ($1, $2::timestamptz)`,
          [n, at.toISOString()],
        );
      } catch (e) {
        throw mapWriteError(e, { unique: "this nonce was handed out already" });
      }
    },

    async spendChallenge(nonce, now) {
      const n = checkBytes(nonce, "nonce", REGISTRATION_NONCE_BYTES);
      const at = checkDate(now, "now").toISOString();
      // One statement: the nonce and every expired one are deleted; what was deleted says how it went.
      const { rows } = await db.query<{ expires_at: unknown }>(
        `WITH spent AS (
           DELETE FROM node_challenges WHERE nonce = $1 OR expires_at <= $2::timestamptz
           RETURNING nonce, expires_at)
         SELECT expires_at FROM spent WHERE nonce = $1`,
        [n, at],
      );
      const row = rows[0];
      if (row === undefined) return "unknown";
      return date(row.expires_at).getTime() > new Date(at).getTime() ? "spent" : "expired";
    },

    async register(node) {
      const {
        signingPublicKey,
        agreementPublicKey,
        kind,
        label,
        cores,
        memoryBytes,
        backend,
        region,
        storageBytes,
        operator,
      } = checkNewNode(node);
      const nodeId = nodeIdOf(signingPublicKey);
      let rows: Row[];
      try {
        ({ rows } = await db.query(
          `INSERT INTO nodes (node_id, signing_public_key, agreement_public_key, kind, label, cores,
                              memory_bytes, backend, region, storage_bytes, state, reputation, operator)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'idle', $11, $12)
           ON CONFLICT (node_id) DO UPDATE SET
             agreement_public_key = EXCLUDED.agreement_public_key, kind = EXCLUDED.kind,
             label = EXCLUDED.label, cores = EXCLUDED.cores, memory_bytes = EXCLUDED.memory_bytes,
             backend = EXCLUDED.backend, region = EXCLUDED.region,
             storage_bytes = EXCLUDED.storage_bytes, operator = EXCLUDED.operator, state = 'idle',
             session = nodes.session + 1, last_heartbeat = now()
           WHERE nodes.signing_public_key = EXCLUDED.signing_public_key
           RETURNING *`,
          [
            nodeId,
            signingPublicKey,
            agreementPublicKey,
            kind,
            label,
            cores,
            memoryBytes,
            backend,
            region,
            storageBytes,
            INITIAL_REPUTATION,
            operator,
          ],
        ));
      } catch (e) {
        throw mapWriteError(e, { foreignKey: `user ${operator} not found` });
      }
      // No row: the node id is taken by another key (a 128-bit prefix clash).
      if (rows[0] === undefined) throw new StoreError("conflict", `node id ${nodeId} belongs to another signing key`);
      return toNode(rows[0]);
    },

    async get(nodeId) {
      const { rows } = await db.query("SELECT * FROM nodes WHERE node_id = $1", [checkNodeId(nodeId)]);
      return rows[0] === undefined ? undefined : toNode(rows[0]);
    },

    async list() {
      const { rows } = await db.query("SELECT * FROM nodes ORDER BY registered_at DESC, node_id");
      return rows.map(toNode);
    },

    async live() {
      const { rows } = await db.query(
        "SELECT * FROM nodes WHERE state IN ('idle', 'busy') ORDER BY registered_at, node_id",
      );
      return rows.map(toNode);
    },

    async heartbeat(nodeId, session, state) {
      const id = checkNodeId(nodeId);
      const s = checkInteger(session, "session", 1, 2 ** 31 - 1);
      const st = checkOneOf(state, "state", liveNodeStates);
      const { rows } = await db.query(
        `UPDATE nodes SET state = $3, last_heartbeat = now()
         WHERE node_id = $1 AND session = $2 AND state IN ('idle', 'busy') RETURNING *`,
        [id, s, st],
      );
      return rows[0] === undefined ? undefined : toNode(rows[0]);
    },

    async setState(nodeId, state) {
      const id = checkNodeId(nodeId);
      const st = checkOneOf(state, "state", nodeStates);
      const { rows } = await db.query("UPDATE nodes SET state = $2 WHERE node_id = $1 RETURNING *", [id, st]);
      if (rows[0] === undefined) throw notFound(`no node ${id}`);
      return toNode(rows[0]);
    },

    async markLost(olderThan) {
      const before = checkDate(olderThan, "olderThan");
      const { rows } = await db.query<{ node_id: unknown }>(
        `UPDATE nodes SET state = 'lost'
         WHERE state IN ('idle', 'busy') AND last_heartbeat < $1::timestamptz RETURNING node_id`,
        [before.toISOString()],
      );
      return rows.map((r) => String(r.node_id)).sort();
    },

    async adjustReputation(nodeId, delta) {
      const id = checkNodeId(nodeId);
      if (typeof delta !== "number" || !Number.isFinite(delta)) throw invalid("delta must be a finite number");
      const { rows } = await db.query<{ reputation: unknown }>(
        `UPDATE nodes SET reputation = least(100, greatest(0, reputation + $2::double precision))
         WHERE node_id = $1 RETURNING reputation`,
        [id, delta],
      );
      if (rows[0] === undefined) throw notFound(`no node ${id}`);
      return num(rows[0].reputation);
    },
  };
}
