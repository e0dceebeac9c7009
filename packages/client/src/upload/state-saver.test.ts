import { describe, expect, it } from "vitest";
import { createMemoryStateStore } from "../../test-support/memory-state-store.js";
import type { TransferState } from "../transfer-state.js";
import { createStateSaver } from "./state-saver.js";
import type { UploadEvent } from "./upload-types.js";

const state = (n: number) => ({ transferId: `t${n}` }) as unknown as TransferState;

describe("state saver", () => {
  it("coalesces saves asked for while one runs, and the newest state is the last saved", async () => {
    const store = createMemoryStateStore();
    const saver = createStateSaver(store, "k", () => {});
    let current = 0;
    for (let i = 1; i <= 10; i++) {
      current = i; // the state as it is when a save starts is what gets saved
      saver.save(() => state(current));
    }
    await saver.settled();
    expect(store.counts.save).toBeLessThanOrEqual(2);
    expect(JSON.parse(store.saved.get("k")!).transferId).toBe("t10");
  });

  it("reports a failed save as an event and keeps going", async () => {
    const store = createMemoryStateStore();
    const events: UploadEvent[] = [];
    const saver = createStateSaver(
      {
        ...store,
        save: async () => {
          throw new Error("disk full");
        },
      },
      "k",
      (e) => events.push(e),
    );
    saver.save(() => state(1));
    await saver.settled();
    expect(events).toEqual([{ kind: "state-save-failed", message: "disk full" }]);
  });

  it("forget deletes the state and nothing is saved after it", async () => {
    const store = createMemoryStateStore();
    const saver = createStateSaver(store, "k", () => {});
    await saver.saveNow(state(1));
    saver.save(() => state(2));
    await saver.forget();
    saver.save(() => state(3));
    await saver.settled();
    expect(store.saved.has("k")).toBe(false);
    expect(store.counts.delete).toBe(1);
  });

  it("does nothing without a store", async () => {
    const saver = createStateSaver(undefined, "", () => {});
    saver.save(() => state(1));
    await saver.saveNow(state(1));
    await saver.forget();
    await saver.settled();
  });
});
