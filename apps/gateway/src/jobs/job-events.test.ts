import { describe, expect, it } from "vitest";
import { createJobEvents, createWaker } from "./job-events.js";

describe("job wake-ups", () => {
  it("keeps a wake-up that came between two waits, and ends waiting on abort or close", async () => {
    const events = createJobEvents();
    const abort = new AbortController();
    const waker = createWaker((wake) => events.onNode("n", wake), abort.signal, events);
    events.node("n"); // before anyone waits
    expect(await waker.wait(10_000)).toBe(true);
    const waiting = waker.wait(10_000);
    events.node("other");
    events.node("n");
    expect(await waiting).toBe(true);
    const closing = waker.wait(10_000);
    events.close();
    expect(await closing).toBe(false);
    expect(await waker.wait(10_000)).toBe(false);
    waker.close();

    const second = createWaker((wake) => events.onJob("j", wake), abort.signal);
    const aborted = second.wait(10_000);
    abort.abort();
    expect(await aborted).toBe(false);
    second.close();
  });
});
