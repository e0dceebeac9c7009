import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { Code } from "@connectrpc/connect";
import { connectGateway, createUploadSession, isClientError, type UploadSession } from "@cyxwiz/client";
import { applyAnonymizers } from "@cyxwiz/datasets/anonymize";
import { prepareSamples } from "@cyxwiz/datasets/pack";
import { blobByteSource, DEFAULT_CHUNK_SIZE } from "@cyxwiz/protocol/chunk";
import { generateDatasetKey } from "@cyxwiz/protocol/crypto";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { toHex } from "../format/hex.js";
import { errorMessage, isAuthFailure } from "../gateway/error-message.js";
import type { DatasetKeyStore } from "../keys/dataset-key-store.js";
import { inputPathOf } from "./dataset-grouping.js";
import { checkSameFiles, fileIdentityOf } from "./file-identity.js";
import type { IdbTransferStateStore, UploadRecord } from "./idb-transfer-state-store.js";
import { ownerKeyFor } from "./owner-key-store.js";
import type { createSampleAnalyser } from "./sample-analyser.js";
import { normaliseChoices, type UploadChoices } from "./upload-choices.js";
import type { PageToWorker, WorkerGateway, WorkerToPage } from "./upload-worker-protocol.js";

/** What the runner needs from the worker around it. */
export interface UploadRunnerDeps {
  readonly post: (message: WorkerToPage) => void;
  readonly store: Promise<IdbTransferStateStore>;
  readonly primitives: Promise<Primitives>;
  /** Opens where a committed encrypted upload's key is kept, for downloads from the datasets page. */
  readonly openKeys: () => Promise<DatasetKeyStore>;
  /** Reads datasets of samples for the page's preview and sharding chart. */
  readonly analyser: ReturnType<typeof createSampleAnalyser>;
  /** The owner key for the `hash` anonymizer (default: kept in this browser's IndexedDB). */
  readonly ownerKey?: (gateway: WorkerGateway) => Promise<Uint8Array>;
}

/**
 * The upload worker's logic: one `@cyxwiz/client` upload session per file (chunking, hashing,
 * compression, encryption and the frames socket all run here, off the page's thread), with the
 * upload's record in IndexedDB so it survives a reload. The page only sends commands and shows
 * what comes back.
 */
export function createUploadRunner(deps: UploadRunnerDeps): { handle(message: PageToWorker): void } {
  const sessions = new Map<string, UploadSession>();
  const starting = new Set<string>();
  /** Cancels asked for while an upload was still starting; carried out once its session exists. */
  const cancelWhenStarted = new Map<string, WorkerGateway>();
  /** Pauses asked for while an upload was still starting; the session starts paused. */
  const pauseWhenStarted = new Set<string>();
  const { post } = deps;

  async function start(message: Extract<PageToWorker, { kind: "start" }>): Promise<void> {
    const { id, file, gateway } = message;
    if (sessions.has(id) || starting.has(id)) return;
    starting.add(id);
    let session: UploadSession | undefined;
    let datasetKey: Uint8Array | undefined;
    try {
      const store = await deps.store;
      const record = await recordFor(store, message);
      if (record === undefined) return;
      datasetKey = record.datasetKey === undefined ? undefined : base64Decode(record.datasetKey);
      if (datasetKey !== undefined) post({ kind: "key", id, keyHex: toHex(datasetKey) });
      const { choices } = record;
      const data = await sourceOf(message.files ?? [file], choices, gateway);
      session = createUploadSession({
        clients: connectGateway({ baseUrl: gateway.baseUrl, token: gateway.token }),
        primitives: await deps.primitives,
        ...data,
        name: choices.name,
        classification: choices.classification,
        compression: choices.compression,
        encrypt: choices.encrypt,
        ...(datasetKey === undefined ? {} : { datasetKey }),
        escrow: choices.escrow,
        store,
        stateKey: id,
        onProgress: (progress) =>
          post({ kind: "progress", id, progress, chunksInFlight: sessions.get(id)?.chunksInFlight ?? 0 }),
        onEvent: (event) => post({ kind: "event", id, event }),
      });
      sessions.set(id, session);
      starting.delete(id);
      if (pauseWhenStarted.delete(id)) pause(id);
      const pendingCancel = cancelWhenStarted.get(id);
      if (pendingCancel !== undefined) {
        cancelWhenStarted.delete(id);
        void cancelAndReport(id, pendingCancel);
      }
      const result = await session.run();
      if (datasetKey !== undefined) {
        // Kept before the upload's record (and its copy of the key) is deleted. Failing to keep
        // it does not fail the upload: the recovery key can still be exported from the row.
        const entry = {
          gateway: gateway.baseUrl,
          owner: gateway.owner,
          transferId: result.version.transferId,
          ref: result.version.ref,
          datasetKey,
        };
        await deps
          .openKeys()
          .then((keys) => keys.save(entry).finally(() => keys.close()))
          .catch(() => undefined);
      }
      await store.remove(id);
      deps.analyser.forget(id);
      post({
        kind: "committed",
        id,
        ref: result.version.ref,
        merkleRootHex: toHex(result.version.merkleRoot),
        keyEscrowed: result.keyEscrowed,
        resumed: result.resumed,
      });
    } catch (e) {
      if (isClientError(e) && e.code === "CYXW_CLIENT_CANCELLED") return; // cancel() reports it
      post({ kind: "failed", id, message: errorMessage(e, `Uploading ${file.name}`), authFailure: isAuthFailure(e) });
    } finally {
      datasetKey?.fill(0); // the session copies the key it uses; the record keeps the saved one
      starting.delete(id);
      cancelWhenStarted.delete(id);
      pauseWhenStarted.delete(id);
      if (sessions.get(id) === session) sessions.delete(id);
    }
  }

  /**
   * What the session uploads: the file's bytes as they are, or, for a dataset of samples, the
   * chunks `prepareSamples` packs after the owner's anonymizers and in the chosen pack order. The
   * same files and choices give the same chunks, so a resumed upload re-prepares them.
   */
  async function sourceOf(files: readonly File[], choices: UploadChoices, gateway: WorkerGateway) {
    const samples = choices.samples;
    if (samples === undefined) return { source: blobByteSource(files[0]!) };
    const plan = samples.plan;
    const ownerKey = plan.some((s) => s.operator === "hash")
      ? await (deps.ownerKey ?? ((g: WorkerGateway) => ownerKeyFor(g.owner, g.baseUrl)))(gateway)
      : undefined;
    const prepared = await prepareSamples(
      files.map((f) => ({ path: inputPathOf(f), source: blobByteSource(f) })),
      {
        chunkSize: DEFAULT_CHUNK_SIZE,
        ...(samples.order === undefined ? {} : { order: samples.order }),
        ...(plan.length === 0
          ? {}
          : {
              transform: (table) => applyAnonymizers(table, plan, ownerKey === undefined ? {} : { ownerKey }).table,
            }),
      },
    );
    return {
      source: prepared.source,
      type: prepared.format,
      samples: { plainSizes: prepared.plainSizes, layout: prepared.layout },
    };
  }

  /**
   * The record to run: the saved one (checked against the chosen file) when there is one, else a
   * new one with a dataset key generated here, saved before anything is sent so that a reload at
   * any moment finds it. Undefined (after telling the page why) when it cannot be run.
   */
  async function recordFor(
    store: IdbTransferStateStore,
    message: Extract<PageToWorker, { kind: "start" }>,
  ): Promise<UploadRecord | undefined> {
    const { id, file, gateway } = message;
    const saved = await store.get(id);
    if (saved !== undefined && saved.file !== undefined) {
      const same = checkSameFiles(saved.files ?? [saved.file], (message.files ?? [file]).map(fileIdentityOf));
      if (!same.ok) {
        post({ kind: "failed", id, message: same.message, authFailure: false });
        return undefined;
      }
      return saved;
    }
    if (message.resume) {
      post({
        kind: "failed",
        id,
        message: "This upload is no longer saved in this browser (it was finished or discarded in another tab).",
        authFailure: false,
      });
      return undefined;
    }
    const choices = normaliseChoices(message.choices);
    const key = choices.encrypt ? generateDatasetKey() : undefined;
    const record: UploadRecord = {
      key: id,
      owner: gateway.owner,
      gateway: gateway.baseUrl,
      file: fileIdentityOf(file),
      ...(message.files !== undefined && message.files.length > 1 ? { files: message.files.map(fileIdentityOf) } : {}),
      choices,
      ...(key === undefined ? {} : { datasetKey: base64Encode(key) }),
      createdAt: new Date().toISOString(),
    };
    key?.fill(0);
    await store.put(record);
    return record;
  }

  /** Cancels a running upload, or discards a saved one; the gateway is told, the record deleted. */
  async function cancel(id: string, gateway: WorkerGateway): Promise<void> {
    if (starting.has(id)) {
      cancelWhenStarted.set(id, gateway);
      return;
    }
    const store = await deps.store;
    const session = sessions.get(id);
    let gatewayProblem: string | undefined;
    try {
      if (session !== undefined) {
        await session.cancel("cancelled by the owner in the dashboard");
      } else {
        const transferId = (await store.get(id))?.state?.transferId;
        if (transferId !== undefined) {
          await connectGateway({ baseUrl: gateway.baseUrl, token: gateway.token }).dataTransfer.cancelTransfer({
            transferId,
            reason: "discarded by the owner in the dashboard",
          });
        }
      }
    } catch (e) {
      // Not found: the gateway already forgot it. Anything else: still forget it here, and say so.
      if (!isNotFound(e)) gatewayProblem = errorMessage(e, "Telling the gateway");
    }
    await store.remove(id);
    post({
      kind: "cancelled",
      id,
      message:
        gatewayProblem === undefined
          ? "Cancelled."
          : `Cancelled in this browser, but the gateway was not told, so the unfinished transfer may remain there. ${gatewayProblem}`,
    });
  }

  /** Stops sending new frames and tells the page how many sent ones are still to be answered. */
  function pause(id: string): void {
    const session = sessions.get(id);
    if (session === undefined) {
      if (starting.has(id)) pauseWhenStarted.add(id);
      else post({ kind: "paused", id, chunksInFlight: 0 });
      return;
    }
    session.pause();
    post({ kind: "paused", id, chunksInFlight: session.chunksInFlight });
  }

  async function analyse(id: string, files: readonly File[]): Promise<void> {
    let last = -1;
    try {
      const outcome = await deps.analyser.analyse(
        id,
        files.map((f) => ({ path: inputPathOf(f), source: blobByteSource(f) })),
        (fraction) => {
          const pct = Math.floor(fraction * 100);
          if (pct === last) return;
          last = pct;
          post({ kind: "analysing", id, fraction });
        },
      );
      post({ kind: "analysed", id, outcome });
    } catch (e) {
      post({ kind: "analysed", id, outcome: { kind: "invalid", message: errorMessage(e, "Reading the dataset") } });
    }
  }

  function shardPreview(message: Extract<PageToWorker, { kind: "shard-preview" }>): void {
    const { id, seq, spec } = message;
    try {
      post({ kind: "shard-preview", id, seq, result: { shards: deps.analyser.shardPreview(id, spec) } });
    } catch (e) {
      post({ kind: "shard-preview", id, seq, result: { problem: e instanceof Error ? e.message : String(e) } });
    }
  }

  function cancelAndReport(id: string, gateway: WorkerGateway): Promise<void> {
    return cancel(id, gateway).catch((e: unknown) =>
      post({ kind: "failed", id, message: errorMessage(e, "Cancelling"), authFailure: false }),
    );
  }

  return {
    handle(message) {
      switch (message.kind) {
        case "start":
          void start(message);
          return;
        case "analyse":
          void analyse(message.id, message.files);
          return;
        case "shard-preview":
          shardPreview(message);
          return;
        case "forget":
          deps.analyser.forget(message.id);
          return;
        case "pause":
          pause(message.id);
          return;
        case "resume":
          pauseWhenStarted.delete(message.id);
          sessions.get(message.id)?.resume();
          return;
        case "cancel":
          void cancelAndReport(message.id, message.gateway);
          return;
        default: {
          const unknown: never = message;
          throw new TypeError(`unknown message to the upload worker: ${JSON.stringify(unknown)}`);
        }
      }
    },
  };
}

/** Whether a failed call says the transfer does not exist (any more) on the gateway. */
function isNotFound(e: unknown): boolean {
  if (isClientError(e)) return e.code === "CYXW_CLIENT_NOT_FOUND";
  const c = e as { name?: unknown; code?: unknown } | null;
  return c?.name === "ConnectError" && c.code === Code.NotFound;
}
