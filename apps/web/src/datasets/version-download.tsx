"use client";

import type { DownloadProgress } from "@cyxwiz/client";
import type { DatasetVersion } from "@cyxwiz/protocol/gen";
import { formatBytes } from "@cyxwiz/protocol/units";
import { type ChangeEvent, type FormEvent, useRef, useState } from "react";
import type { DownloadClient, DownloadUpdate } from "../download/download-client.js";
import { openSaveTarget } from "../download/save-target.js";
import { safeFileName } from "../format/file-name.js";
import { percentDone } from "../format/progress-format.js";
import { errorMessage } from "../gateway/error-message.js";
import { parseRecoveryKey } from "../upload/recovery-key.js";

/** Where one version's download stands. */
export type VersionDownload =
  | { readonly status: "idle" }
  /** Encrypted, and no usable key in this browser: the recovery key form is shown. */
  | { readonly status: "asking-key"; readonly message?: string }
  | { readonly status: "running"; readonly progress?: DownloadProgress; readonly cancel: () => void }
  | { readonly status: "done"; readonly bytes: number; readonly savedTo: "file-system" | "blob" }
  | { readonly status: "failed"; readonly message: string; readonly chunkIndex?: number }
  | { readonly status: "cancelled" };

/** What the datasets page hands a row for downloading. */
export interface VersionDownloadDeps {
  /** The page's download client, created on first use. */
  readonly downloads: () => DownloadClient;
  /** Whether this browser keeps the version's dataset key (IndexedDB). */
  readonly keyHere: boolean;
  /** Called when the gateway refused the session. */
  readonly onAuthFailure: (message: string) => void;
  /**
   * The version is a dataset of samples (its manifest has a sample layout): it is saved as one
   * Arrow IPC file, `<name>.arrow`, instead of the uploaded bytes.
   */
  readonly samples: boolean;
}

/** The file a download of `v` is saved as: `<name>.arrow` for a dataset of samples, else the name. */
export function downloadFileName(name: string, samples: boolean): string {
  const safe = safeFileName(name);
  return samples && !safe.toLowerCase().endsWith(".arrow") ? `${safe}.arrow` : safe;
}

/**
 * One version's download: Download opens the save target straight from the click (the file
 * picker needs the click's user activation), then the download worker verifies, decrypts and
 * hands over each chunk. An encrypted version whose key this browser does not keep, or whose key
 * does not open it, asks for the recovery key first.
 */
export function useVersionDownload(v: DatasetVersion, deps: VersionDownloadDeps) {
  const [state, setState] = useState<VersionDownload>({ status: "idle" });

  async function begin(recoveryKey: Uint8Array | undefined): Promise<void> {
    let target: Awaited<ReturnType<typeof openSaveTarget>>;
    try {
      target = await openSaveTarget(downloadFileName(v.name, deps.samples));
    } catch (e) {
      recoveryKey?.fill(0);
      setState({ status: "failed", message: errorMessage(e, "Choosing where to save the file") });
      return;
    }
    if (target === undefined) {
      recoveryKey?.fill(0);
      setState({ status: "idle" }); // the person closed the file picker
      return;
    }
    const onUpdate = (u: DownloadUpdate) => {
      switch (u.kind) {
        case "progress":
          setState((s) => (s.status === "running" ? { ...s, progress: u.progress } : s));
          return;
        case "done":
          setState({ status: "done", bytes: u.bytes, savedTo: u.savedTo });
          return;
        case "cancelled":
          setState({ status: "cancelled" });
          return;
        case "failed":
          if (u.failure === "key") setState({ status: "asking-key", message: u.message });
          else if (u.failure === "auth") deps.onAuthFailure(u.message);
          else
            setState({
              status: "failed",
              message: u.message,
              ...(u.chunkIndex === undefined ? {} : { chunkIndex: u.chunkIndex }),
            });
          return;
        default: {
          const unknown: never = u;
          throw new TypeError(`unknown download update: ${JSON.stringify(unknown)}`);
        }
      }
    };
    let handle: { cancel(): void };
    try {
      handle = deps.downloads().start(
        {
          ref: v.ref,
          transferId: v.transferId,
          encrypted: v.encrypted,
          ...(recoveryKey === undefined ? {} : { recoveryKey }),
          ...(deps.samples ? { arrow: true } : {}),
        },
        target,
        onUpdate,
      );
    } catch (e) {
      // The worker could not be created (no Worker support, a blocked script).
      await target.abort().catch(() => undefined);
      setState({ status: "failed", message: errorMessage(e, `Downloading ${v.ref}`) });
      return;
    } finally {
      recoveryKey?.fill(0); // posted to the worker as a copy
    }
    setState({ status: "running", cancel: handle.cancel });
  }

  return {
    state,
    samples: deps.samples,
    /** The Download button. */
    start() {
      if (v.encrypted && !deps.keyHere) setState({ status: "asking-key" });
      else void begin(undefined);
    },
    /** The recovery key form's submit. */
    submitKey(text: string) {
      const parsed = parseRecoveryKey(text);
      if (!parsed.ok) setState({ status: "asking-key", message: parsed.message });
      else void begin(parsed.datasetKey);
    },
    dismiss() {
      setState({ status: "idle" });
    },
  };
}

/** The Download (or Cancel) button in the row's actions. */
export function DownloadButton({
  refName,
  download,
}: {
  refName: string;
  download: ReturnType<typeof useVersionDownload>;
}) {
  const { state } = download;
  if (state.status === "running")
    return (
      <button type="button" onClick={state.cancel} data-testid={`dataset-download-cancel-${refName}`}>
        Cancel
      </button>
    );
  return (
    <button
      type="button"
      onClick={download.start}
      disabled={state.status === "asking-key"}
      title={download.samples ? "Saves the samples as one Arrow IPC file (.arrow)" : "Saves the file's original bytes"}
      data-format={download.samples ? "arrow" : "original"}
      data-testid={`dataset-download-${refName}`}
    >
      {download.samples ? "Download .arrow" : "Download"}
    </button>
  );
}

/** What the download shows under the row: the key form, the progress, or how it ended. */
export function DownloadPanel({
  version: v,
  download,
}: {
  version: DatasetVersion;
  download: ReturnType<typeof useVersionDownload>;
}) {
  const { state } = download;
  const ref = v.ref;
  const total = Number(v.totalSize);
  switch (state.status) {
    case "idle":
      return null;
    case "asking-key":
      return (
        <RecoveryKeyForm
          idPrefix="dataset-key"
          refName={ref}
          message={state.message}
          submitLabel="Download"
          onSubmit={download.submitKey}
          onCancel={download.dismiss}
        />
      );
    case "running": {
      const done = state.progress?.bytesDone ?? 0;
      const percent = percentDone(done, total);
      return (
        <div className="progress-block">
          <progress
            value={percent}
            max={100}
            aria-label={`Downloading ${ref}`}
            data-testid={`dataset-download-progress-${ref}`}
          />
          <div className="progress-figures">
            <span data-testid={`dataset-download-percent-${ref}`}>{percent}%</span>
            <span>
              {formatBytes(done)} of {formatBytes(total)}, verified
              {v.encrypted ? " and decrypted" : ""}
            </span>
          </div>
        </div>
      );
    }
    case "done":
      return (
        <p className="small ok" role="status" data-testid={`dataset-download-result-${ref}`} data-state="done">
          Saved {formatBytes(state.bytes)}
          {download.samples ? " as one Arrow IPC file" : ""}
          {state.savedTo === "blob" ? " (to your downloads)" : ""}: every chunk matched the Merkle root
          {v.encrypted ? " and decrypted with your key" : ""}.{" "}
          <button type="button" className="link" onClick={download.dismiss}>
            Dismiss
          </button>
        </p>
      );
    case "failed":
      return (
        <p
          className="small error"
          role="alert"
          data-testid={`dataset-download-result-${ref}`}
          data-state="failed"
          data-chunk={state.chunkIndex}
        >
          {state.message} Nothing was saved.{" "}
          <button type="button" className="link" onClick={download.dismiss}>
            Dismiss
          </button>
        </p>
      );
    case "cancelled":
      return (
        <p className="small muted" role="status" data-testid={`dataset-download-result-${ref}`} data-state="cancelled">
          Download cancelled; nothing was saved.{" "}
          <button type="button" className="link" onClick={download.dismiss}>
            Dismiss
          </button>
        </p>
      );
    default: {
      const unknown: never = state;
      throw new TypeError(`unknown download state: ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The recovery key form (typed or read from the exported `.key` file). Test ids are
 * `<idPrefix>-form|input|submit|file|cancel|error-<ref>`.
 */
export function RecoveryKeyForm({
  idPrefix,
  refName: ref,
  message,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  refName: string;
  message: string | undefined;
  submitLabel: string;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState("");
  const fileInput = useRef<HTMLInputElement>(null);

  async function chooseFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file !== undefined) setText((await file.text()).trim());
    event.target.value = "";
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(text);
    setText("");
  }

  return (
    <form className="key-form" onSubmit={submit} data-testid={`${idPrefix}-form-${ref}`}>
      <label>
        Recovery key for {ref} (64 hex characters, as exported after the upload)
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={message !== undefined}
          data-testid={`${idPrefix}-input-${ref}`}
        />
      </label>
      <div className="actions">
        <button type="submit" className="primary" data-testid={`${idPrefix}-submit-${ref}`}>
          {submitLabel}
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Choose .key file…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".key,text/plain"
          className="visually-hidden"
          tabIndex={-1}
          onChange={(e) => void chooseFile(e)}
          data-testid={`${idPrefix}-file-${ref}`}
        />
        <button type="button" className="subtle" onClick={onCancel} data-testid={`${idPrefix}-cancel-${ref}`}>
          Cancel
        </button>
      </div>
      {message !== undefined && (
        <p className="small error" role="alert" data-testid={`${idPrefix}-error-${ref}`}>
          {message}
        </p>
      )}
      <p className="hint">The key stays in this browser: it decrypts here and is never sent to the gateway.</p>
    </form>
  );
}
