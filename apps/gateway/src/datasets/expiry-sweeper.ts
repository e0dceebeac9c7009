import type { GatewayDeps } from "../gateway-deps.js";
import type { ExpiredVersion } from "../store/index.js";
import { releaseBlobs } from "../transfers/release-blobs.js";

/** The audit log's actor for deletions the gateway makes by itself. */
export const EXPIRY_ACTOR = "system:expiry";

/** Versions one sweep deletes in one transaction; a sweep runs batches until none is due. */
const batchSize = 100;

/** What one sweep did. */
export interface SweepResult {
  readonly deleted: ExpiredVersion[];
  /** Chunk blobs deleted (those no remaining version shares). */
  readonly blobsDeleted: number;
}

/** Deletes dataset versions whose policy's expiry has come (docs/data-policy.md, "Expiry"). */
export interface ExpirySweeper {
  /** Deletes every version due at the clock's now: rows, then blobs, each deletion audited. */
  sweepOnce(): Promise<SweepResult>;
  /** Sweeps now and then every `intervalMs`; a sweep still running when the next is due is not doubled. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export interface ExpirySweeperOptions {
  readonly deps: Pick<GatewayDeps, "store" | "blobs" | "digestLocks" | "log">;
  /** Milliseconds between sweeps (CYXWIZ_EXPIRY_SWEEP_SECONDS). */
  readonly intervalMs: number;
  /** The current time; tests pass a clock they control. */
  readonly now?: () => Date;
}

/**
 * The expiry sweeper: what `expireAfterDays` promises, kept. Each due version is deleted as
 * DeleteDataset deletes one (its rows, then the blobs no other version shares) and recorded in
 * the audit log as `dataset.expire` by {@link EXPIRY_ACTOR}.
 */
export function createExpirySweeper(options: ExpirySweeperOptions): ExpirySweeper {
  const { deps, intervalMs } = options;
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepResult> | undefined;

  async function sweep(): Promise<SweepResult> {
    const at = now();
    const deleted: ExpiredVersion[] = [];
    let blobsDeleted = 0;
    for (;;) {
      const batch = await deps.store.datasets.deleteExpired(at, batchSize);
      blobsDeleted += await releaseBlobs(deps, batch.unreferencedDigests);
      for (const v of batch.deleted) {
        await deps.store.audit.append({
          actor: EXPIRY_ACTOR,
          action: "dataset.expire",
          subject: `dataset:${v.owner}/${v.name}@v${v.version}`,
          detail: { expiresAt: v.expiresAt.toISOString(), sweptAt: at.toISOString() },
        });
      }
      deleted.push(...batch.deleted);
      if (batch.deleted.length < batchSize) break;
    }
    if (deleted.length > 0)
      deps.log.info({ versions: deleted.length, blobsDeleted }, "expired dataset versions deleted");
    return { deleted, blobsDeleted };
  }

  function sweepOnce(): Promise<SweepResult> {
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
        sweepOnce().catch((err: unknown) =>
          deps.log.error({ err }, "expiry sweep failed; retrying at the next interval"),
        );
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
