"use client";

import { base64Decode } from "@bufbuild/protobuf/wire";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
} from "react";
import { errorMessage } from "../gateway/error-message.js";
import type { ShardingSpec } from "../preview/preview-types.js";
import { useSession } from "../session/session-context.js";
import type { ColumnDecision, KAnonymityChoice } from "./anonymize-choices.js";
import { groupFiles } from "./dataset-grouping.js";
import { checkSameFiles, fileIdentityOf } from "./file-identity.js";
import {
  type IdbTransferStateStore,
  openIdbTransferStateStore,
  type UploadRecord,
} from "./idb-transfer-state-store.js";
import { downloadTextFile, recoveryKeyFileName, recoveryKeyText } from "./recovery-key.js";
import { ANALYSING, sampleBlocker } from "./sample-row.js";
import { datasetNameProblem, defaultChoices, normaliseChoices, type UploadChoices } from "./upload-choices.js";
import { isActive, pausingMessage, QUEUED_MESSAGE, rowsReducer, rowsToStart, type UploadRow } from "./upload-rows.js";
import type { PageToWorker, WorkerGateway, WorkerToPage } from "./upload-worker-protocol.js";

/** Everything the upload page can do; the state lives above the pages so uploads go on while browsing. */
export interface UploadManagerApi {
  readonly rows: readonly UploadRow[];
  /** Warnings from the worker's primitives (e.g. crypto.subtle missing), to show prominently. */
  readonly warnings: readonly string[];
  /** Unfinished uploads saved in this browser by earlier pages, not yet resumed. */
  readonly saved: readonly UploadRecord[];
  /** Why the saved uploads could not be read, if they could not. */
  readonly savedError: string | undefined;
  /**
   * Adds files as rows ready to start. With `samples` (the default) the worker reads each dataset
   * as samples (files of one dataset chosen together share a row); without, every file uploads as
   * bytes, as it is. @returns a message per file that was not added.
   */
  addFiles(files: readonly File[], options?: { readonly samples?: boolean }): string[];
  setChoices(id: string, choices: UploadChoices): void;
  /** The owner's anonymizer for a flagged column of a dataset of samples (undefined: undecided). */
  setDecision(id: string, column: string, decision: ColumnDecision | undefined): void;
  setKAnonymity(id: string, choice: KAnonymityChoice | undefined): void;
  /** A new sharding choice; the worker computes its preview. */
  setSharding(id: string, spec: ShardingSpec): void;
  /** Starts (or retries) one row. @returns why it cannot start, if it cannot. */
  start(id: string): string | undefined;
  pause(id: string): void;
  resume(id: string): void;
  cancel(id: string): void;
  /** Removes a finished or not yet started row from the list. */
  remove(id: string): void;
  exportKey(id: string): void;
  /** Resumes a saved upload with the file the person chose again. @returns why not, if refused. */
  /** Resumes a saved upload with the files chosen again (all of them, for a dataset of several files). */
  resumeSaved(record: UploadRecord, files: readonly File[]): string | undefined;
  discardSaved(record: UploadRecord): void;
  exportSavedKey(record: UploadRecord): void;
}

/**
 * A random id for a new upload. Not `crypto.randomUUID()`: that exists only in secure contexts,
 * and the dashboard must still work (slowly, with a warning) where crypto.subtle is missing.
 */
function newUploadId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const UploadManagerContext = createContext<UploadManagerApi | undefined>(undefined);

/**
 * Owns the upload worker and the rows. Created once in the root layout, so an upload keeps going
 * while the person looks at the datasets page. Signing out stops the worker (saved uploads stay
 * in IndexedDB, resumable by the same user).
 */
export function UploadManagerProvider({ children }: { children: ReactNode }) {
  const { state: session, signOut } = useSession();
  const [rows, dispatch] = useReducer(rowsReducer, []);
  const [warnings, setWarnings] = useState<readonly string[]>([]);
  const [saved, setSaved] = useState<readonly UploadRecord[]>([]);
  const [savedError, setSavedError] = useState<string | undefined>();
  const worker = useRef<Worker | undefined>(undefined);
  const store = useRef<Promise<IdbTransferStateStore> | undefined>(undefined);
  const rowsRef = useRef(rows);
  const shardSeq = useRef(0);
  rowsRef.current = rows;

  const gateway: WorkerGateway | undefined =
    session.status === "signed-in"
      ? { baseUrl: session.baseUrl, token: session.session.token, owner: session.session.username }
      : undefined;
  const gatewayRef = useRef(gateway);
  gatewayRef.current = gateway;

  const refreshSaved = useCallback(async () => {
    const g = gatewayRef.current;
    if (g === undefined) return;
    try {
      store.current ??= openIdbTransferStateStore();
      const records = await (await store.current).list(g.owner, g.baseUrl);
      const shown = new Set(rowsRef.current.map((r) => r.id));
      setSaved(records.filter((r) => !shown.has(r.key)));
      setSavedError(undefined);
    } catch (e) {
      setSavedError(errorMessage(e, "Reading unfinished uploads saved in this browser"));
    }
  }, []);

  const signedInAs = gateway === undefined ? undefined : `${gateway.owner}@${gateway.baseUrl}`;
  useEffect(() => {
    if (signedInAs === undefined) return;
    const w = new Worker(new URL("./upload.worker.ts", import.meta.url), { type: "module", name: "cyxwiz-upload" });
    worker.current = w;
    w.addEventListener("message", (event: MessageEvent<WorkerToPage>) => {
      const m = event.data;
      if (m.kind === "hello") {
        setWarnings(m.warnings);
        return;
      }
      dispatch({ type: "worker", message: m });
      if (m.kind === "committed" || m.kind === "cancelled") void refreshSaved();
      if (m.kind === "failed" && m.authFailure)
        signOut("Your session ended while uploading. Sign in again; unfinished uploads can be resumed.");
    });
    w.addEventListener("error", (event) => {
      setWarnings((old) => [
        ...old,
        `The upload worker failed: ${event.message || "it could not be loaded"}. Reload the page to try again.`,
      ]);
    });
    void refreshSaved();
    return () => {
      w.terminate();
      worker.current = undefined;
      for (const r of rowsRef.current) dispatch({ type: "remove", id: r.id });
      setSaved([]);
    };
  }, [signedInAs, refreshSaved, signOut]);

  // An encrypted upload's key is kept in this browser's IndexedDB after commit (for downloads),
  // but site data is easily cleared: warn while a committed, non-escrowed key has not been exported.
  const unexportedKeys = rows.some(
    (r) => r.phase === "committed" && r.keyHex !== undefined && !r.keyExported && r.keyEscrowed !== true,
  );
  useEffect(() => {
    if (!unexportedKeys) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unexportedKeys]);

  const send = useCallback((message: PageToWorker) => worker.current?.postMessage(message), []);

  // Started rows wait as "queued" until a slot is free (MAX_PARALLEL_UPLOADS), then go, in order.
  useEffect(() => {
    const g = gatewayRef.current;
    if (g === undefined) return;
    for (const row of rowsToStart(rows)) {
      dispatch({ type: "phase", id: row.id, phase: "starting" });
      send({
        kind: "start",
        id: row.id,
        file: row.file,
        ...(row.files === undefined ? {} : { files: row.files }),
        gateway: g,
        choices: row.choices,
        resume: row.fromSaved,
      });
    }
  }, [rows, send]);

  const api = useMemo<UploadManagerApi>(() => {
    const find = (id: string) => rowsRef.current.find((r) => r.id === id);
    return {
      rows,
      warnings,
      saved,
      savedError,
      addFiles(files, options = {}) {
        const samples = options.samples ?? true;
        const problems: string[] = [];
        const taken = new Set(rowsRef.current.filter((r) => r.phase !== "cancelled").map((r) => r.file.name));
        const added: UploadRow[] = [];
        for (const group of samples ? groupFiles(files) : files.map((f) => [f])) {
          const file = group[0]!;
          if (taken.has(file.name)) {
            problems.push(`"${file.name}" is already in the list.`);
            continue;
          }
          taken.add(file.name);
          added.push({
            id: newUploadId(),
            file,
            ...(group.length > 1 ? { files: group } : {}),
            choices: defaultChoices(file.name),
            ...(samples ? { sample: ANALYSING } : {}),
            phase: "ready",
            fromSaved: false,
            keyExported: false,
          });
        }
        if (added.length > 0) dispatch({ type: "add", rows: added });
        for (const row of added)
          if (row.sample !== undefined) send({ kind: "analyse", id: row.id, files: row.files ?? [row.file] });
        return problems;
      },
      setChoices(id, choices) {
        dispatch({ type: "choices", id, choices: normaliseChoices(choices) });
      },
      setDecision(id, column, decision) {
        dispatch({ type: "decision", id, column, ...(decision === undefined ? {} : { decision }) });
      },
      setKAnonymity(id, choice) {
        dispatch({ type: "k-anonymity", id, ...(choice === undefined ? {} : { choice }) });
      },
      setSharding(id, spec) {
        shardSeq.current += 1;
        const seq = shardSeq.current;
        dispatch({ type: "sharding", id, spec, seq });
        send({ kind: "shard-preview", id, seq, spec });
      },
      start(id) {
        const row = find(id);
        const g = gatewayRef.current;
        if (row === undefined || g === undefined || isActive(row.phase)) return undefined;
        const problem = datasetNameProblem(row.choices.name) ?? sampleBlocker(row.sample);
        if (problem !== undefined) return problem;
        dispatch({ type: "phase", id, phase: "queued", message: QUEUED_MESSAGE });
        return undefined;
      },
      pause(id) {
        // "pausing" until the worker says how many frames are still in flight, and they are answered.
        const row = find(id);
        dispatch({ type: "phase", id, phase: "pausing", message: pausingMessage(row?.chunksInFlight) });
        send({ kind: "pause", id });
      },
      resume(id) {
        dispatch({ type: "phase", id, phase: "uploading" });
        send({ kind: "resume", id });
      },
      cancel(id) {
        const g = gatewayRef.current;
        const row = find(id);
        if (g === undefined || row === undefined) return;
        if (row.phase === "ready") {
          dispatch({ type: "remove", id });
          send({ kind: "forget", id });
          return;
        }
        dispatch({ type: "phase", id, phase: "cancelling", message: "Cancelling…" });
        send({ kind: "cancel", id, gateway: g });
      },
      remove(id) {
        dispatch({ type: "remove", id });
        send({ kind: "forget", id });
      },
      exportKey(id) {
        const row = find(id);
        if (row?.keyHex === undefined) return;
        downloadTextFile(recoveryKeyFileName(row.choices.name), `${row.keyHex}\n`);
        dispatch({ type: "key-exported", id });
      },
      resumeSaved(record, chosen) {
        const same = checkSameFiles(record.files ?? [record.file], chosen.map(fileIdentityOf));
        if (!same.ok) return same.message;
        // In the order the upload started with, so the dataset is read the same way again.
        const files = (record.files ?? [record.file]).map((f) => chosen.find((c) => c.name === f.name)!);
        const file = files[0]!;
        const g = gatewayRef.current;
        if (g === undefined) return "Sign in first.";
        setSaved((old) => old.filter((r) => r.key !== record.key));
        dispatch({
          type: "add",
          rows: [
            { id: record.key, file, choices: record.choices, phase: "starting", fromSaved: true, keyExported: false },
          ],
        });
        send({
          kind: "start",
          id: record.key,
          file,
          ...(files.length > 1 ? { files } : {}),
          gateway: g,
          choices: record.choices,
          resume: true,
        });
        return undefined;
      },
      discardSaved(record) {
        const g = gatewayRef.current;
        if (g === undefined) return;
        setSaved((old) => old.filter((r) => r.key !== record.key));
        send({ kind: "cancel", id: record.key, gateway: g });
      },
      exportSavedKey(record) {
        if (record.datasetKey === undefined) return;
        downloadTextFile(recoveryKeyFileName(record.choices.name), recoveryKeyText(base64Decode(record.datasetKey)));
      },
    };
  }, [rows, warnings, saved, savedError, send]);

  return <UploadManagerContext.Provider value={api}>{children}</UploadManagerContext.Provider>;
}

/**
 * The upload manager.
 *
 * @throws Error outside an {@link UploadManagerProvider} (a wiring bug).
 */
export function useUploadManager(): UploadManagerApi {
  const api = useContext(UploadManagerContext);
  if (api === undefined) throw new Error("useUploadManager must be used inside <UploadManagerProvider>");
  return api;
}
