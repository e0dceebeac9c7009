import { randomBytes } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { nodeIdOf, REGISTRATION_NONCE_BYTES, registrationMessage, verifySignature } from "@cyxwiz/protocol/crypto";
import { type NodeService, NodeState as ProtoNodeState } from "@cyxwiz/protocol/gen";
import { issueNodeToken } from "../auth/node-tokens.js";
import { refusalMessage } from "../auth/session-tokens.js";
import type { GatewayDeps } from "../gateway-deps.js";
import { clientAddressKey, principalKey, requestCallerKey, workerOf } from "../rpc/request-context.js";
import { failedPrecondition, invalidArgument, permissionDenied, toConnectError } from "../rpc/rpc-errors.js";
import { checkNewNode, type LiveNodeState, type NewNode, nodeBackends } from "../store/index.js";
import { nodeKindFromProto, nodeToProto } from "./node-proto.js";

/** How long a registration challenge is good for (docs/compute.md "Principals"). */
export const CHALLENGE_TTL_MS = 60_000;
/** A worker is lost after this many heartbeat periods of silence (nodes/node-liveness.ts). */
export const LEASE_HEARTBEATS = 3;
/** Longest reason a worker may give for leaving, in characters. */
const MAX_LEAVE_REASON = 256;

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** A job id, as the jobs table's CHECK has it (store/migrations/0005_compute.sql). */
const jobIdPattern = /^job_[0-9a-f]{24}$/;

/** What the registry needs from the gateway. */
export type NodeRegistryDeps = Pick<GatewayDeps, "config" | "store" | "secrets" | "log" | "nodeEvents">;

/** The part of NodeService that registers workers and keeps track of them. */
export type NodeRegistryMethods = Pick<
  ServiceImpl<typeof NodeService>,
  "getChallenge" | "register" | "heartbeat" | "leave" | "reportErasure" | "listNodes"
>;

function checkLength(value: Uint8Array, field: string, length: number): Uint8Array {
  if (value.length !== length) throw invalidArgument(`${field} must be ${length} bytes, got ${value.length}`);
  return value;
}

/** A number from a uint64 field, refused beyond 2^53 - 1. */
function safeNumber(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgument(`${field} must be at most 2^53 - 1`);
  return Number(value);
}

/**
 * Who is registering a worker: the person whose token the request carries (the node is their own
 * worker: docs/compute.md "Operators"), or nobody (an anonymous volunteer). A token that does not
 * verify is refused rather than ignored, so a daemon with an expired token does not quietly become
 * a stranger's worker.
 */
function operatorOf(ctx: HandlerContext): string | null {
  const principal = ctx.values.get(principalKey);
  if (principal !== undefined) return principal.username;
  const caller = ctx.values.get(requestCallerKey);
  if (caller?.kind === "anonymous" && caller.refusal !== "missing")
    throw new ConnectError(
      `${refusalMessage(caller.refusal)} (or register without a token, as an anonymous volunteer)`,
      caller.refusal === "unavailable" ? Code.Unavailable : Code.Unauthenticated,
    );
  return null;
}

/**
 * NodeService's registry (docs/compute.md): GetChallenge, Register, Heartbeat, Leave,
 * ReportErasure and ListNodes. The job engine's methods (WatchAssignments, FetchShard,
 * SubmitUpdate) come from elsewhere; the gateway registers both halves as one service.
 */
export function createNodeRegistryService(deps: NodeRegistryDeps): NodeRegistryMethods {
  const { store } = deps;
  return {
    async getChallenge() {
      const nonce = new Uint8Array(randomBytes(REGISTRATION_NONCE_BYTES));
      const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
      try {
        await store.nodes.createChallenge(nonce, expiresAt);
      } catch (e) {
        throw toConnectError(e);
      }
      return { nonce, expiresAt: timestampFromDate(expiresAt) };
    },

    async register(req, ctx) {
      // Everything is checked before the nonce is spent: a refused registration changes nothing.
      const signingPublicKey = checkLength(req.signingPublicKey, "signing_public_key (Ed25519)", KEY_BYTES);
      const agreementPublicKey = checkLength(req.agreementPublicKey, "agreement_public_key (X25519)", KEY_BYTES);
      const nonce = checkLength(req.nonce, "nonce", REGISTRATION_NONCE_BYTES);
      const signature = checkLength(req.signature, "signature (Ed25519)", SIGNATURE_BYTES);
      const kind = nodeKindFromProto(req.kind);
      if (kind === undefined) throw invalidArgument("kind must be NODE_KIND_DAEMON or NODE_KIND_BROWSER");
      const capacity = req.capacity;
      if (capacity === undefined)
        throw invalidArgument("capacity is required (cores, memory, backend, region, storage)");
      if (!(nodeBackends as readonly string[]).includes(capacity.backend))
        throw invalidArgument(
          `capacity.backend must be one of ${nodeBackends.join(", ")}, got ${JSON.stringify(capacity.backend.slice(0, 40))}`,
        );
      const operator = operatorOf(ctx);
      let node: NewNode;
      try {
        node = checkNewNode({
          signingPublicKey,
          agreementPublicKey,
          kind,
          label: req.label,
          cores: capacity.cores,
          memoryBytes: safeNumber(capacity.memoryBytes, "capacity.memory_bytes"),
          backend: capacity.backend as NewNode["backend"],
          region: capacity.region,
          storageBytes: safeNumber(capacity.storageBytes, "capacity.storage_bytes"),
          operator,
        });
      } catch (e) {
        throw toConnectError(e);
      }
      const message = registrationMessage({ nonce, signingPublicKey, agreementPublicKey });
      if (!verifySignature(signingPublicKey, message, signature))
        throw new ConnectError("the registration signature does not verify for this signing key", Code.Unauthenticated);

      const nodeId = nodeIdOf(signingPublicKey);
      try {
        const spent = await store.nodes.spendChallenge(nonce, new Date());
        if (spent === "expired")
          throw failedPrecondition(
            `the challenge nonce has expired (one is good for ${CHALLENGE_TTL_MS / 1000} s): ask GetChallenge for a fresh one`,
          );
        if (spent === "unknown")
          throw permissionDenied(
            "the challenge nonce is unknown or already used (one is good for one Register): ask GetChallenge for a fresh one",
          );
        const record = await store.nodes.register(node);
        const { token, expiresAt } = await issueNodeToken(
          deps.secrets.jwtKey,
          { nodeId, session: record.session },
          deps.config.nodeTokenMinutes,
        );
        await store.audit.append({
          actor: operator === null ? `node:${nodeId}` : `user:${operator}`,
          action: "node.register",
          subject: `node:${nodeId}`,
          detail: {
            session: record.session,
            kind: record.kind,
            backend: record.backend,
            cores: record.cores,
            label: record.label,
            operator,
            ip: ctx.values.get(clientAddressKey),
          },
        });
        deps.log.info({ nodeId, session: record.session, kind, operator }, "node registered");
        deps.nodeEvents.emit("changed", { nodeId, change: "registered" });
        return {
          nodeId,
          nodeToken: token,
          tokenExpiresAt: timestampFromDate(expiresAt),
          heartbeatSeconds: deps.config.heartbeatSeconds,
        };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async heartbeat(req, ctx) {
      const worker = workerOf(ctx);
      let state: LiveNodeState;
      if (req.state === ProtoNodeState.UNSPECIFIED || req.state === ProtoNodeState.IDLE) state = "idle";
      else if (req.state === ProtoNodeState.BUSY) state = "busy";
      else throw invalidArgument("a heartbeat's state is NODE_STATE_IDLE or NODE_STATE_BUSY (to leave, call Leave)");
      let beat: Awaited<ReturnType<typeof store.nodes.heartbeat>>;
      try {
        beat = await store.nodes.heartbeat(worker.nodeId, worker.session, state);
      } catch (e) {
        throw toConnectError(e);
      }
      // The token was current when the request came in; the node may have been marked lost since.
      if (beat === undefined)
        throw failedPrecondition(
          "this registration of the node is no longer live (lost, left or superseded): register again",
        );
      return { nextHeartbeatSeconds: deps.config.heartbeatSeconds };
    },

    async leave(req, ctx) {
      const worker = workerOf(ctx);
      if ([...req.reason].length > MAX_LEAVE_REASON)
        throw invalidArgument(`reason must be at most ${MAX_LEAVE_REASON} characters`);
      try {
        await store.nodes.setState(worker.nodeId, "left");
        await store.audit.append({
          actor: `node:${worker.nodeId}`,
          action: "node.leave",
          subject: `node:${worker.nodeId}`,
          detail: { session: worker.session, reason: req.reason },
        });
      } catch (e) {
        throw toConnectError(e);
      }
      deps.log.info({ nodeId: worker.nodeId, reason: req.reason }, "node left");
      deps.nodeEvents.emit("changed", { nodeId: worker.nodeId, change: "left" });
      return {};
    },

    async reportErasure(req, ctx) {
      const worker = workerOf(ctx);
      if (!jobIdPattern.test(req.jobId))
        throw invalidArgument(`job_id must be "job_" and 24 hex digits, got ${JSON.stringify(req.jobId.slice(0, 40))}`);
      try {
        await store.audit.append({
          actor: `node:${worker.nodeId}`,
          action: "node.erasure",
          subject: `job:${req.jobId}`,
          detail: { jobId: req.jobId, node: worker.nodeId, chunks: req.chunks, overwritten: req.overwritten },
        });
      } catch (e) {
        throw toConnectError(e);
      }
      return {};
    },

    async listNodes() {
      try {
        return { nodes: (await store.nodes.list()).map(nodeToProto) };
      } catch (e) {
        throw toConnectError(e);
      }
    },
  };
}
