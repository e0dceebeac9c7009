import type { TransferState, TransferStateStore } from "../src/transfer-state.js";

/** A TransferStateStore in memory that round-trips states through JSON, as a file or IndexedDB would, and counts its calls. */
export interface MemoryStateStore extends TransferStateStore {
  readonly saved: Map<string, string>;
  readonly counts: { load: number; save: number; delete: number };
}

export function createMemoryStateStore(): MemoryStateStore {
  const saved = new Map<string, string>();
  const counts = { load: 0, save: 0, delete: 0 };
  return {
    saved,
    counts,
    async load(key) {
      counts.load++;
      const text = saved.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as TransferState);
    },
    async save(key, state) {
      counts.save++;
      saved.set(key, JSON.stringify(state));
    },
    async delete(key) {
      counts.delete++;
      saved.delete(key);
    },
  };
}
