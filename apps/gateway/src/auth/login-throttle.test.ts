import { describe, expect, it } from "vitest";
import { createLoginThrottle, LOGIN_WINDOW_MS } from "./login-throttle.js";

const minute = 60_000;

function throttleAt(options: { perAccount?: number; perAddress?: number; maxEntries?: number } = {}) {
  let t = 1_000_000;
  const throttle = createLoginThrottle({ perAccount: 3, perAddress: 5, ...options, now: () => t });
  const advance = (ms: number) => {
    t += ms;
  };
  return { throttle, advance };
}

describe("sign-in budgets", () => {
  it("closes an account to unfamiliar addresses after its budget of failures, until the oldest leaves the window", () => {
    const { throttle, advance } = throttleAt();
    throttle.failed("carol", "10.0.0.1");
    advance(5 * minute);
    throttle.failed("carol", "10.0.0.2");
    throttle.failed("carol", "10.0.0.3");
    expect(throttle.check("carol", "10.0.0.4")).toEqual({
      ok: false,
      scope: "account",
      failures: 3,
      budget: 3,
      retryAfterMs: LOGIN_WINDOW_MS - 5 * minute,
    });
    expect(throttle.check("dave", "10.0.0.4")).toEqual({ ok: true }); // other accounts are not affected
    advance(LOGIN_WINDOW_MS - 5 * minute); // the first failure leaves the window
    expect(throttle.check("carol", "10.0.0.4")).toEqual({ ok: true });
  });

  it("keeps an account open from addresses it signed in from, which keep their own budget", () => {
    const { throttle } = throttleAt();
    throttle.succeeded("carol", "10.0.0.9");
    for (let i = 0; i < 3; i++) throttle.failed("carol", "10.0.0.1");
    expect(throttle.check("carol", "10.0.0.9")).toEqual({ ok: true });
    expect(throttle.check("carol", "10.0.0.8").ok).toBe(false);
    for (let i = 0; i < 5; i++) throttle.failed("carol", "10.0.0.9");
    expect(throttle.check("carol", "10.0.0.9")).toMatchObject({ ok: false, scope: "address" });
    // familiarity ends after 30 days
    const fresh = throttleAt();
    fresh.throttle.succeeded("carol", "10.0.0.9");
    fresh.advance(31 * 24 * 60 * minute);
    for (let i = 0; i < 3; i++) fresh.throttle.failed("carol", "10.0.0.1");
    expect(fresh.throttle.check("carol", "10.0.0.9")).toMatchObject({ ok: false, scope: "account" });
  });

  it("stops an address after its budget of failures across accounts; a success there does not reset it", () => {
    const { throttle } = throttleAt();
    for (const account of ["a", "b", "c", "d"]) throttle.failed(account, "10.0.0.1");
    throttle.succeeded("mine", "10.0.0.1");
    throttle.failed("e", "10.0.0.1");
    expect(throttle.check("anyone", "10.0.0.1")).toMatchObject({ ok: false, scope: "address", failures: 5 });
    expect(throttle.check("anyone", "10.0.0.2")).toEqual({ ok: true });
  });

  it("remembers a bounded number of accounts and addresses", () => {
    const { throttle } = throttleAt({ perAccount: 1, perAddress: 1000, maxEntries: 3 });
    throttle.failed("a", "10.0.0.1");
    for (const account of ["b", "c", "d"]) throttle.failed(account, "10.0.0.2");
    expect(throttle.check("a", "10.0.0.3")).toEqual({ ok: true }); // forgotten: the oldest of four
    expect(throttle.check("d", "10.0.0.3").ok).toBe(false);
  });
});
