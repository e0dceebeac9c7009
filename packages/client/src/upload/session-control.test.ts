import { describe, expect, it } from "vitest";
import { isClientError } from "../client-error.js";
import { createSessionControl } from "./session-control.js";

describe("session control", () => {
  it("wakes every waiter on notify, resume and cancel", async () => {
    const c = createSessionControl();
    let woken = 0;
    const wait = () => c.changed().then(() => woken++);
    const a = [wait(), wait()];
    c.notify();
    await Promise.all(a);
    expect(woken).toBe(2);
    c.pause();
    expect(c.paused).toBe(true);
    const b = wait();
    c.resume();
    await b;
    expect(c.paused).toBe(false);
    const d = wait();
    expect(c.cancel("")).toBe(true);
    await d;
    expect(woken).toBe(4);
  });

  it("once cancelled, throws CYXW_CLIENT_CANCELLED with the reason, signals once, and ignores a second cancel", async () => {
    const c = createSessionControl();
    expect(() => c.throwIfCancelled()).not.toThrow();
    expect(c.cancel("the owner changed their mind")).toBe(true);
    expect(c.cancel("again")).toBe(false);
    expect(c.cancelled).toBe("the owner changed their mind");
    await c.cancelledSignal;
    let thrown: unknown;
    try {
      c.throwIfCancelled();
    } catch (e) {
      thrown = e;
    }
    expect(isClientError(thrown) && thrown.code).toBe("CYXW_CLIENT_CANCELLED");
    expect((thrown as Error).message).toMatch(/cancelled: the owner changed their mind$/);
  });
});
