import { Code, ConnectError } from "@connectrpc/connect";
import { type CodecName, loadCodec } from "@cyxwiz/protocol/compress";
import { openGrant, updateMessage } from "@cyxwiz/protocol/crypto";
import { type Assignment, NodeState } from "@cyxwiz/protocol/gen";
import { loadPrimitives, type Primitives } from "@cyxwiz/protocol/primitives";
import { chooseBackend } from "@cyxwiz/training";
import { ClientError } from "../client-error.js";
import { isTransient } from "../rpc-error.js";
import { sleep } from "../timers.js";
import { abortWait } from "./abort-wait.js";
import { createMemoryChunkStore } from "./memory-chunk-store.js";
import { NodeSession } from "./node-session.js";
import { RoundTrainer } from "./round-trainer.js";
import type { ShardReading } from "./shard-chunk-check.js";
import { ChunkLocators, gatherShard } from "./shard-fetch.js";
import { selectShardRows } from "./shard-rows.js";
import type { WorkerEvent } from "./worker-events.js";
import type { WorkerChunkStore, WorkerOptions } from "./worker-options.js";

/** Reconnect delays after a dropped stream or a failed registration: 1 s doubling to 30 s. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];

/** Thrown out of a round to stop it (revoked job, abort). */
class RoundStopped extends Error {}

/**
 * Runs a worker of the compute plane until `options.signal` aborts (docs/compute.md "A round, for
 * a worker"; docs/node-daemon.md): registers with a signed challenge, heartbeats, watches its
 * assignments, and for each fetches and verifies the shard's chunks, trains the job's model on
 * its rows, and sends a signed update. A revoked job's data is erased and the erasure reported;
 * on abort the worker erases what it holds, leaves, and resolves.
 *
 * @throws ClientError / ConnectError when the first registration is refused for good (a bad user
 *   token, a refused identity); transient failures are retried with backoff, reported as events.
 * @example
 * await runWorker({ transport, identity, kind: "browser", label: "tab", capacity, backend: "auto", signal });
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const worker = new Worker(options, await loadPrimitives());
  await worker.run();
}

/** One running worker: the loops of runWorker and the state they share. */
class Worker {
  readonly #o: WorkerOptions;
  readonly #primitives: Primitives;
  readonly #session: NodeSession;
  readonly #store: WorkerChunkStore;
  readonly #trainer: RoundTrainer;
  readonly #locators = new ChunkLocators();
  /** Jobs whose data this worker holds, and whether to erase them securely. */
  readonly #held = new Map<string, boolean>();
  readonly #revoked = new Set<string>();
  readonly #aborted: Promise<void>;
  readonly #queue: Work[] = [];
  #wake: (() => void) | undefined;
  #state: { state: NodeState; jobId: string; round: number } = { state: NodeState.IDLE, jobId: "", round: 0 };

  constructor(options: WorkerOptions, primitives: Primitives) {
    this.#o = options;
    this.#primitives = primitives;
    this.#session = new NodeSession(options);
    this.#store = options.chunkStore ?? createMemoryChunkStore();
    this.#trainer = new RoundTrainer(
      options.chooseBackend ?? ((spec) => chooseBackend(options.backend, spec)),
      (backend, reason) => this.#emit({ type: "backend", backend, reason }),
    );
    this.#aborted = abortWait(options.signal);
  }

  get #stopping(): boolean {
    return this.#o.signal.aborted;
  }

  #emit(e: WorkerEvent): void {
    try {
      this.#o.onEvent?.(e);
    } catch {
      // A listener's failure is not the worker's.
    }
  }

  async run(): Promise<void> {
    await this.#registerWithBackoff();
    if (this.#stopping) return this.#leave();
    this.#emit({ type: "registered", nodeId: this.#session.nodeId });
    await Promise.all([this.#heartbeats(), this.#watch(), this.#process()]);
    await this.#leave();
  }

  async #registerWithBackoff(): Promise<void> {
    for (let attempt = 0; !this.#stopping; attempt++) {
      try {
        await this.#session.register();
        return;
      } catch (e) {
        if (this.#stopping) return;
        if (!isTransient(e)) throw e;
        this.#emit({ type: "error", message: `registering: ${ConnectError.from(e).message}` });
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!, this.#aborted);
      }
    }
  }

  async #heartbeats(): Promise<void> {
    while (!this.#stopping) {
      await sleep(this.#session.heartbeatSeconds * 1000, this.#aborted);
      if (this.#stopping) return;
      try {
        const answer = await this.#session.call((c, opts) => c.heartbeat(this.#state, opts));
        this.#session.heartbeatSeconds = answer.nextHeartbeatSeconds;
      } catch (e) {
        if (!this.#stopping) this.#emit({ type: "error", message: `heartbeat: ${ConnectError.from(e).message}` });
      }
    }
  }

  /** WatchAssignments, reconnected with backoff whenever the stream ends or drops. */
  async #watch(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping) {
      try {
        if (this.#session.needsRenewal) await this.#session.register();
        for await (const msg of this.#session.client.watchAssignments({}, this.#session.auth())) {
          attempt = 0;
          const event = msg.event;
          if (event.case === "assignment") this.#queue.push({ kind: "round", assignment: event.value });
          else if (event.case === "revokedJobId") {
            this.#revoked.add(event.value);
            // Queued rounds of a revoked job are dropped; its data is erased in order, by #process.
            this.#queue.push({ kind: "erase", jobId: event.value });
          }
          this.#wake?.();
        }
      } catch (e) {
        if (this.#stopping) break;
        const ce = ConnectError.from(e);
        if (ce.code === Code.Unauthenticated) {
          await this.#session.register().catch(() => undefined);
        } else {
          this.#emit({ type: "error", message: `assignment stream: ${ce.message}` });
        }
      }
      if (this.#stopping) break;
      await sleep(BACKOFF_MS[Math.min(attempt++, BACKOFF_MS.length - 1)]!, this.#aborted);
    }
    this.#wake?.();
  }

  /** Works through the queue one assignment at a time; then erases what is held. */
  async #process(): Promise<void> {
    while (!this.#stopping) {
      const work = this.#queue.shift();
      if (work === undefined) {
        await Promise.race([new Promise<void>((r) => (this.#wake = r)), this.#aborted]);
        this.#wake = undefined;
        continue;
      }
      if (work.kind === "erase") {
        await this.#erase(work.jobId);
        this.#revoked.delete(work.jobId);
        continue;
      }
      const next = work.assignment;
      if (this.#revoked.has(next.jobId)) continue;
      try {
        await this.#round(next);
      } catch (e) {
        if (e instanceof RoundStopped) continue;
        this.#emit({ type: "error", jobId: next.jobId, message: messageOf(e) });
        if (isClientError(e, "CYXW_CLIENT_REFUSED")) await this.#erase(next.jobId);
      } finally {
        this.#state = { state: NodeState.IDLE, jobId: "", round: 0 };
      }
    }
    for (const jobId of [...this.#held.keys()]) await this.#erase(jobId);
    this.#trainer.dispose();
  }

  async #round(a: Assignment): Promise<void> {
    this.#state = { state: NodeState.BUSY, jobId: a.jobId, round: a.round };
    const stopCheck = () => {
      if (this.#stopping || this.#revoked.has(a.jobId)) throw new RoundStopped();
    };
    const wanted = a.samples.reduce((n, r) => n + Number(r.end - r.start), 0);
    this.#emit({
      type: "assignment",
      jobId: a.jobId,
      round: a.round,
      shard: a.shard,
      samples: wanted,
      chunks: a.chunkIndices.length,
    });
    this.#held.set(a.jobId, a.secureDelete);
    const reading = await this.#reading(a);
    const plaintexts = await gatherShard({
      session: this.#session,
      primitives: this.#primitives,
      assignment: a,
      reading,
      store: this.#store,
      locators: this.#locators,
      onProgress: (p) => {
        this.#emit({ type: "fetch", ...p });
      },
    });
    stopCheck();
    const { selected, samples } = selectShardRows(plaintexts, a.chunkFirstSamples, a.samples);
    const trained = await this.#trainer.train(a, selected, samples, {
      ...(this.#o.maxBatchesInMemory === undefined ? {} : { maxBatchesInMemory: this.#o.maxBatchesInMemory }),
      onBatch: (b) => {
        stopCheck();
        this.#emit({ type: "batch", ...b });
      },
    });
    stopCheck();
    const signature = await this.#o.identity.sign(updateMessage(a.jobId, a.round, trained.delta));
    // Not cut short by a stop: the round's work is done, and the gateway should have it.
    const answer = await this.#session.call(
      (c, opts) =>
        c.submitUpdate(
          {
            jobId: a.jobId,
            round: a.round,
            delta: trained.delta,
            samples: BigInt(trained.result.samples),
            loss: trained.result.loss,
            accuracy: trained.result.accuracy,
            samplesPerSecond: trained.result.samplesPerSecond,
            backend: trained.backend,
            signature,
          },
          opts,
        ),
      { signal: undefined },
    );
    this.#emit({ type: "submitted", jobId: a.jobId, round: a.round, accepted: answer.accepted, reason: answer.reason });
  }

  /** The root, granted keys and codec to read an assignment's chunks with. */
  async #reading(a: Assignment): Promise<ShardReading> {
    let grant: ShardReading["grant"];
    if (a.keyGrant !== undefined) {
      const opened = await openGrant(this.#primitives, this.#o.identity.agreementSecretKey, a.keyGrant);
      if (!opened.ok)
        throw new ClientError("CYXW_CLIENT_KEY", `the key grant of ${a.jobId} does not open: ${opened.error.message}`);
      grant = opened.value;
    }
    const codecName = (a.codec === "" ? "none" : a.codec) as CodecName;
    const codec = codecName === "none" ? undefined : await loadCodec(codecName);
    return {
      merkleRoot: a.merkleRoot,
      ...(grant === undefined ? {} : { grant }),
      ...(codec === undefined ? {} : { codec }),
    };
  }

  /** Erases a job's chunks (as its policy says) and reports it; failures become events. */
  async #erase(jobId: string): Promise<void> {
    const secure = this.#held.get(jobId) ?? true;
    this.#held.delete(jobId);
    try {
      const done = await this.#store.eraseJob(jobId, { secure });
      this.#emit({ type: "erased", jobId, chunks: done.chunks, overwritten: done.overwritten });
      // Reported even while stopping: the abort signal is not passed on.
      await this.#session.call(
        (c, opts) => c.reportErasure({ jobId, chunks: done.chunks, overwritten: done.overwritten }, opts),
        { signal: undefined },
      );
    } catch (e) {
      this.#emit({ type: "error", jobId, message: `erasing ${jobId}: ${messageOf(e)}` });
    }
  }

  async #leave(): Promise<void> {
    if (this.#session.nodeId === "") {
      this.#emit({ type: "left" }); // stopped before registering: nothing to leave
      return;
    }
    try {
      await this.#session.client.leave(
        { reason: "stopped" },
        { ...this.#session.auth(), signal: undefined, timeoutMs: 5000 },
      );
    } catch (e) {
      this.#emit({ type: "error", message: `leaving: ${messageOf(e)}` });
    }
    this.#emit({ type: "left" });
  }
}

/** What the worker does next, in the order the stream said it. */
type Work =
  | { readonly kind: "round"; readonly assignment: Assignment }
  | { readonly kind: "erase"; readonly jobId: string };

function isClientError(e: unknown, code: string): boolean {
  return (
    (e as { name?: unknown; code?: unknown } | null)?.name === "ClientError" && (e as { code: unknown }).code === code
  );
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
