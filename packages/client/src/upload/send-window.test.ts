import { describe, expect, it } from "vitest";
import { createSendWindow, windowSize } from "./send-window.js";
import { DEFAULT_WINDOW } from "./upload-types.js";

const record = { storedSize: 10, digest: "AAAA", compressed: false };

describe("send window", () => {
  it("lets at most `size` frames out, and one more as soon as one is answered", () => {
    const w = createSendWindow([0, 1, 2, 3, 4], 2);
    const sent: number[] = [];
    while (w.canSend()) {
      const i = w.take()!;
      w.sent(i, record);
      sent.push(i);
    }
    expect(sent).toEqual([0, 1]);
    expect(w.inFlight).toBe(2);
    expect(w.settle(1)).toEqual(record);
    expect(w.inFlight).toBe(1);
    expect(w.canSend()).toBe(true);
    expect(w.take()).toBe(2);
  });

  it("ignores an answer for a frame that is not in flight (a late answer for an earlier socket's frame)", () => {
    const w = createSendWindow([5], 4);
    expect(w.settle(5)).toBeUndefined();
    w.sent(w.take()!, record);
    expect(w.settle(5)).toEqual(record);
    expect(w.settle(5)).toBeUndefined();
    expect(w.inFlight).toBe(0);
  });

  it("puts a refused chunk back in index order, once, so it follows the chunks before it", () => {
    const w = createSendWindow([1, 4, 7], 8);
    w.requeue(5);
    w.requeue(0);
    w.requeue(9);
    w.requeue(4);
    expect(w.queue).toEqual([0, 1, 4, 5, 7, 9]);
  });

  it("does not send with an empty queue however much room there is", () => {
    const w = createSendWindow([], 4);
    expect(w.canSend()).toBe(false);
    expect(w.take()).toBeUndefined();
  });

  it("uses the gateway's window unless the client asks for less; the default when the gateway names none", () => {
    expect(windowSize(16, undefined)).toBe(16);
    expect(windowSize(16, 3)).toBe(3);
    expect(windowSize(2, 3)).toBe(2);
    expect(windowSize(0, undefined)).toBe(DEFAULT_WINDOW);
    expect(windowSize(0, 1)).toBe(1);
  });
});
