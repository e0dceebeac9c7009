import type { UploadEvent, UploadProgress } from "@cyxwiz/client";
import type { ShardingSpec } from "../preview/preview-types.js";
import type { ColumnDecision, KAnonymityChoice } from "./anonymize-choices.js";
import { type SampleRowState, withAnalysis, withSampleChoices } from "./sample-row.js";
import type { UploadChoices } from "./upload-choices.js";
import type { WorkerToPage } from "./upload-worker-protocol.js";

/** Where one file's upload stands, as the page shows it. */
export type UploadPhase =
  | "ready"
  /** Started by the person, waiting for a free slot (at most {@link MAX_PARALLEL_UPLOADS} run at once). */
  | "queued"
  | "starting"
  | "uploading"
  /** Pause asked for; frames already sent are still being acknowledged. */
  | "pausing"
  | "paused"
  | "reconnecting"
  | "committing"
  | "committed"
  | "failed"
  | "cancelling"
  | "cancelled";

/** One file on the upload page. */
export interface UploadRow {
  /** The upload's key in IndexedDB (a random id; the same after a reload). */
  readonly id: string;
  readonly file: File;
  /** Every file of a dataset of several files (a folder, IDX images and labels); absent: `file` alone. */
  readonly files?: readonly File[];
  readonly choices: UploadChoices;
  /** The dataset read as samples (absent for a resumed upload: it keeps its saved choices). */
  readonly sample?: SampleRowState;
  readonly phase: UploadPhase;
  /** Continues an upload saved by an earlier page (after a reload). */
  readonly fromSaved: boolean;
  readonly progress?: UploadProgress;
  /** Frames sent and not yet acknowledged, as of the latest report. */
  readonly chunksInFlight?: number;
  /** The codec the engine settled on (after trying the requested one on the first chunk). */
  readonly codec?: string;
  /** The dataset key, 64 hex characters, once the worker has it (encrypted uploads). */
  readonly keyHex?: string;
  readonly keyExported: boolean;
  readonly ref?: string;
  readonly merkleRootHex?: string;
  readonly keyEscrowed?: boolean;
  /** The latest thing worth telling (a reconnect, a resumed transfer), or the failure. */
  readonly message?: string;
  readonly authFailure?: boolean;
}

/** Changes to the rows: the person's actions and the worker's reports. */
export type RowAction =
  | { readonly type: "add"; readonly rows: readonly UploadRow[] }
  | { readonly type: "choices"; readonly id: string; readonly choices: UploadChoices }
  | { readonly type: "phase"; readonly id: string; readonly phase: UploadPhase; readonly message?: string }
  | { readonly type: "key-exported"; readonly id: string }
  /** The owner's anonymizer for a flagged column (undefined: not decided). */
  | { readonly type: "decision"; readonly id: string; readonly column: string; readonly decision?: ColumnDecision }
  | { readonly type: "k-anonymity"; readonly id: string; readonly choice?: KAnonymityChoice }
  /** A new sharding spec; its preview is asked for with `seq`. */
  | { readonly type: "sharding"; readonly id: string; readonly spec: ShardingSpec; readonly seq: number }
  | { readonly type: "remove"; readonly id: string }
  | { readonly type: "worker"; readonly message: WorkerToPage };

/**
 * How many uploads send at once. One: files started together share one link, so one after the
 * other finishes the first sooner and the others show "Queued" instead of "Uploading 0%".
 */
export const MAX_PARALLEL_UPLOADS = 1;

/** The notice while a pause waits for the frames already sent. */
export const PAUSED_MESSAGE = "Paused. Every chunk sent so far is acknowledged; nothing more is sent until you resume.";

/** "Pausing: finishing 5 chunks in flight…" (before the count is known: "the chunks in flight"). */
export function pausingMessage(chunksInFlight: number | undefined): string {
  const what =
    chunksInFlight === undefined || chunksInFlight <= 0
      ? "the chunks"
      : `${chunksInFlight} ${chunksInFlight === 1 ? "chunk" : "chunks"}`;
  return `Pausing: finishing ${what} in flight…`;
}

/** The notice on a row waiting for its turn. */
export const QUEUED_MESSAGE = "Queued: starts when the upload before it finishes.";

/** Phases that hold one of the {@link MAX_PARALLEL_UPLOADS} slots (a paused upload gives its slot up). */
function holdsSlot(phase: UploadPhase): boolean {
  return (
    phase === "starting" ||
    phase === "uploading" ||
    phase === "pausing" ||
    phase === "reconnecting" ||
    phase === "committing"
  );
}

/** The queued rows to start now, oldest first, so that at most `limit` uploads run. */
export function rowsToStart(rows: readonly UploadRow[], limit = MAX_PARALLEL_UPLOADS): readonly UploadRow[] {
  const free = limit - rows.filter((r) => holdsSlot(r.phase)).length;
  return free > 0 ? rows.filter((r) => r.phase === "queued").slice(0, free) : [];
}

/** Phases in which the worker is busy with the row (or will be: queued). */
export function isActive(phase: UploadPhase): boolean {
  return (
    phase === "queued" ||
    phase === "starting" ||
    phase === "pausing" ||
    phase === "uploading" ||
    phase === "paused" ||
    phase === "reconnecting" ||
    phase === "committing" ||
    phase === "cancelling"
  );
}

/** The rows after `action`. Pure: the upload manager keeps the rows with `useReducer(rowsReducer)`. */
export function rowsReducer(rows: readonly UploadRow[], action: RowAction): readonly UploadRow[] {
  const change = (id: string, f: (row: UploadRow) => UploadRow) => rows.map((r) => (r.id === id ? f(r) : r));
  switch (action.type) {
    case "add":
      return [...rows, ...action.rows];
    case "choices":
      return change(action.id, (r) => {
        if (r.phase !== "ready") return r;
        const touched = action.choices.classification !== r.choices.classification;
        const sample = r.sample === undefined || !touched ? r.sample : { ...r.sample, classificationTouched: true };
        return { ...r, choices: action.choices, ...(sample === undefined ? {} : { sample }) };
      });
    case "decision":
      return change(action.id, (r) =>
        withSample(r, (s) => ({ ...s, decisions: { ...s.decisions, [action.column]: action.decision } })),
      );
    case "k-anonymity":
      return change(action.id, (r) =>
        withSample(r, (s) => {
          const { kAnonymity: _, ...rest } = s;
          return action.choice === undefined ? rest : { ...rest, kAnonymity: action.choice };
        }),
      );
    case "sharding":
      return change(action.id, (r) => withSample(r, (s) => ({ ...s, sharding: action.spec, shardSeq: action.seq })));
    case "phase":
      return change(action.id, (r) => ({ ...r, phase: action.phase, message: action.message, authFailure: false }));
    case "key-exported":
      return change(action.id, (r) => ({ ...r, keyExported: true }));
    case "remove":
      return rows.filter((r) => r.id !== action.id);
    case "worker":
      return fromWorker(rows, action.message);
    default: {
      const unknown: never = action;
      throw new TypeError(`unknown row action ${JSON.stringify(unknown)}`);
    }
  }
}

/** The row with its sample state changed and its sample choices rebuilt (only while it is ready). */
function withSample(r: UploadRow, f: (s: SampleRowState) => SampleRowState): UploadRow {
  if (r.sample === undefined || r.phase !== "ready") return r;
  const sample = f(r.sample);
  return { ...r, sample, choices: withSampleChoices(sample, r.choices) };
}

function fromWorker(rows: readonly UploadRow[], m: WorkerToPage): readonly UploadRow[] {
  if (m.kind === "hello") return rows;
  return rows.map((r) => {
    if (r.id !== m.id) return r;
    switch (m.kind) {
      case "analysing":
        return r.sample === undefined ? r : { ...r, sample: { ...r.sample, fraction: m.fraction } };
      case "analysed": {
        if (r.sample === undefined) return r;
        const next = withAnalysis(r.sample, r.choices, m.outcome);
        return { ...r, sample: next.sample, choices: next.choices };
      }
      case "shard-preview": {
        if (r.sample === undefined || m.seq !== r.sample.shardSeq) return r;
        const { shards: _, shardProblem: __, ...rest } = r.sample;
        return {
          ...r,
          sample:
            "shards" in m.result ? { ...rest, shards: m.result.shards } : { ...rest, shardProblem: m.result.problem },
        };
      }
      case "key":
        return { ...r, keyHex: m.keyHex };
      case "progress": {
        const done = m.progress.bytesAcked >= m.progress.totalBytes && m.progress.chunksAcked >= m.progress.totalChunks;
        const updated = { ...r, progress: m.progress, chunksInFlight: m.chunksInFlight };
        if (r.phase === "pausing" && !done) return pausingOrPaused(updated, m.chunksInFlight);
        const phase: UploadPhase =
          r.phase === "paused" || r.phase === "cancelling" || isFinished(r.phase)
            ? r.phase
            : done
              ? "committing"
              : "uploading";
        const message =
          (r.phase === "reconnecting" && phase === "uploading") || (r.phase === "pausing" && done)
            ? undefined
            : r.message;
        return { ...updated, phase, message };
      }
      case "paused":
        return r.phase === "pausing"
          ? pausingOrPaused({ ...r, chunksInFlight: m.chunksInFlight }, m.chunksInFlight)
          : r;
      case "event":
        return withEvent(r, m.event);
      case "committed":
        return {
          ...r,
          phase: "committed",
          ref: m.ref,
          merkleRootHex: m.merkleRootHex,
          keyEscrowed: m.keyEscrowed,
          message: undefined,
        };
      case "failed":
        return r.phase === "cancelled" ? r : { ...r, phase: "failed", message: m.message, authFailure: m.authFailure };
      case "cancelled":
        return { ...r, phase: "cancelled", message: m.message };
      default: {
        const unknown: never = m;
        throw new TypeError(`unknown worker message ${JSON.stringify(unknown)}`);
      }
    }
  });
}

/** A pausing row: still "pausing" while frames are in flight, "paused" once every one is answered. */
function pausingOrPaused(r: UploadRow, chunksInFlight: number): UploadRow {
  return chunksInFlight > 0
    ? { ...r, phase: "pausing", message: pausingMessage(chunksInFlight) }
    : { ...r, phase: "paused", message: PAUSED_MESSAGE };
}

function isFinished(phase: UploadPhase): boolean {
  return phase === "committed" || phase === "failed" || phase === "cancelled";
}

function withEvent(r: UploadRow, e: UploadEvent): UploadRow {
  const running = r.phase === "paused" || r.phase === "pausing" || r.phase === "cancelling" ? r.phase : "uploading";
  switch (e.kind) {
    case "initiated":
      return { ...r, phase: running, codec: e.codec, message: r.phase === "pausing" ? r.message : undefined };
    case "resumed":
      return {
        ...r,
        phase: running,
        message: `Resumed: ${e.chunksDone} of ${e.totalChunks} chunks were already on the gateway; only the rest is sent.`,
      };
    case "reconnecting":
      // The socket is gone, and with it every frame in flight: a pause has nothing left to wait for.
      if (r.phase === "pausing") return { ...r, phase: "paused", chunksInFlight: 0, message: PAUSED_MESSAGE };
      return r.phase === "cancelling"
        ? r
        : {
            ...r,
            phase: "reconnecting",
            message: `Connection lost; reconnecting (attempt ${e.attempt}) in ${(e.delayMs / 1000).toFixed(1)} s…`,
          };
    case "disconnected":
      return r;
    case "chunk-refused":
      return {
        ...r,
        message: `The gateway refused chunk ${e.index} (${e.status}${e.message === "" ? "" : `: ${e.message}`}); sending it again.`,
      };
    case "state-discarded":
      return { ...r, message: `Starting over: ${e.reason}.` };
    case "state-save-failed":
      return {
        ...r,
        message: `Progress could not be saved in this browser (${e.message}); a reload will start this file over.`,
      };
    case "committed":
      return { ...r, ref: e.ref };
    default: {
      const unknown: never = e;
      throw new TypeError(`unknown upload event ${JSON.stringify(unknown)}`);
    }
  }
}
