import type { TransferState, TransferStateStore } from "../transfer-state.js";
import type { UploadEvent } from "./upload-types.js";

/**
 * Keeps an upload's resume state in its store (docs/upload-protocol.md §3): saved after every
 * acknowledgement, coalesced so at most one save runs at a time and the newest state is the last
 * one saved. Without a store every call does nothing.
 */
export interface StateSaver {
  /** Saves now and waits (the first save, before any frame is sent). */
  saveNow(state: TransferState): Promise<void>;
  /** Asks for a save of `snapshot()`; returns at once. A failed save is reported, not thrown. */
  save(snapshot: () => TransferState): void;
  /** Resolves when no save is running. */
  settled(): Promise<void>;
  /** Stops saving for good, waits for a running save, then deletes the saved state. */
  forget(): Promise<void>;
}

/** Creates the saver of `stateKey` in `store`; failed background saves go to `emit` as state-save-failed. */
export function createStateSaver(
  store: TransferStateStore | undefined,
  stateKey: string,
  emit: (event: UploadEvent) => void,
): StateSaver {
  let saving: Promise<void> | undefined;
  let latest: (() => TransferState) | undefined;
  let forgotten = false;
  const settled = async () => {
    await saving;
  };
  return {
    async saveNow(state) {
      if (store !== undefined) await store.save(stateKey, state);
    },
    save(snapshot) {
      if (store === undefined || forgotten) return;
      latest = snapshot;
      saving ??= (async () => {
        while (latest !== undefined) {
          const next = latest;
          latest = undefined;
          try {
            await store.save(stateKey, next());
          } catch (e) {
            emit({ kind: "state-save-failed", message: (e as Error).message ?? String(e) });
          }
        }
        saving = undefined;
      })();
    },
    settled,
    async forget() {
      forgotten = true;
      latest = undefined;
      await settled();
      if (store !== undefined) await store.delete(stateKey);
    },
  };
}
