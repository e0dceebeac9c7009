import type { GatewayDeps } from "../gateway-deps.js";
import { LEASE_HEARTBEATS } from "./node-registry-service.js";

/** Marks workers lost when they fall silent (docs/compute.md "Heartbeats"). */
export interface NodeLiveness {
  /** Marks lost every live worker silent for the lease, tells the job engine; returns their ids. */
  sweepOnce(): Promise<string[]>;
  /** Sweeps every heartbeat period; a sweep still running when the next is due is not doubled. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export interface NodeLivenessOptions {
  readonly deps: Pick<GatewayDeps, "store" | "log" | "nodeEvents">;
  /** Seconds between a worker's heartbeats (CYXWIZ_HEARTBEAT_SECONDS). */
  readonly heartbeatSeconds: number;
  /** The current time; tests pass a clock they control. */
  readonly now?: () => Date;
}

/**
 * The liveness sweeper: a worker whose last heartbeat is more than {@link LEASE_HEARTBEATS}
 * heartbeat periods old is marked `lost` and a "lost" NodeEvents change is emitted, so the job
 * engine takes its shard back. The worker must register again to rejoin (its token is refused
 * from then on: auth/node-tokens.ts).
 */
export function createNodeLiveness(options: NodeLivenessOptions): NodeLiveness {
  const { deps } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = LEASE_HEARTBEATS * options.heartbeatSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<string[]> | undefined;

  async function sweep(): Promise<string[]> {
    const lost = await deps.store.nodes.markLost(new Date(now().getTime() - leaseMs));
    if (lost.length > 0) deps.log.info({ nodes: lost, leaseMs }, "silent nodes marked lost");
    for (const nodeId of lost) deps.nodeEvents.emit("changed", { nodeId, change: "lost" });
    return lost;
  }

  function sweepOnce(): Promise<string[]> {
    running ??= sweep().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    sweepOnce,
    start() {
      if (timer !== undefined) return;
      const tick = () => {
        sweepOnce().catch((err: unknown) => deps.log.error({ err }, "node liveness sweep failed; retrying"));
      };
      timer = setInterval(tick, options.heartbeatSeconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
