import type { Primitives } from "@cyxwiz/protocol/primitives";
import type { FastifyBaseLogger } from "fastify";
import type { GatewaySecrets } from "./auth/gateway-secrets.js";
import type { TokenVerifier } from "./auth/token-verifier.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayMetrics } from "./http/gateway-metrics.js";
import type { JobEvents } from "./jobs/job-events.js";
import type { NodeEvents } from "./nodes/node-events.js";
import type { BlobStore, MetadataStore } from "./store/index.js";
import type { DigestLocks } from "./transfers/digest-locks.js";
import type { TransferHub } from "./transfers/transfer-hub.js";

/** What the gateway's handlers share: built once in buildGateway. */
export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly hub: TransferHub;
  /** Serialises storing and releasing the blob of one digest (transfers/digest-locks.ts). */
  readonly digestLocks: DigestLocks;
  readonly secrets: GatewaySecrets;
  /** Checks a bearer token, revocation included: every entry point uses it (auth/token-verifier.ts). */
  readonly tokens: TokenVerifier;
  readonly primitives: Primitives;
  readonly metrics: GatewayMetrics;
  readonly log: FastifyBaseLogger;
  /** Workers registering, leaving, and lost (nodes/node-events.ts): the job engine listens. */
  readonly nodeEvents: NodeEvents;
  /** Wake-ups between the job engine and the job and assignment streams (jobs/job-events.ts). */
  readonly jobEvents: JobEvents;
}
