/**
 * Budgets against password guessing (issue 8, finding 4; docs/operations.md, "Limits and
 * quotas"): failed sign-ins are counted per account and per address over a sliding window.
 *
 * - An address that failed `perAddress` times in the window may not try again, whatever the
 *   account, until the oldest of those failures leaves the window.
 * - An account that failed `perAccount` times in the window, from anywhere, may not be tried
 *   again from an address it has not signed in from (within `trustMs`) until then. That is what
 *   stops many addresses guessing one password together.
 *
 * The trade-off: anyone can lock an account this way (lockout as denial of service). Exempting
 * the addresses the account signed in from keeps its owner in from their usual places while
 * someone elsewhere guesses; from a new address they wait out the window like the guesser. An
 * exempt address still has its own address budget. Counts live in this process's memory: a
 * restart forgets them, and gateway replicas count apart.
 */

export interface LoginThrottleOptions {
  /** Failed sign-ins per account in the window before it is closed to unfamiliar addresses. */
  readonly perAccount: number;
  /** Failed sign-ins per address in the window before it may not sign in at all. */
  readonly perAddress: number;
  /** The window (default 15 minutes). */
  readonly windowMs?: number;
  /** How long a successful sign-in keeps its address familiar to the account (default 30 days). */
  readonly trustMs?: number;
  /** Most accounts and addresses remembered; the least recently seen are forgotten first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export type LoginVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Which budget is spent. */
      readonly scope: "account" | "address";
      /** Failures counted in the window, and the budget. */
      readonly failures: number;
      readonly budget: number;
      /** When the oldest counted failure leaves the window. */
      readonly retryAfterMs: number;
    };

export interface LoginThrottle {
  /** Whether `account` may be tried from `address` now (asked before the password is checked). */
  check(account: string, address: string): LoginVerdict;
  failed(account: string, address: string): void;
  succeeded(account: string, address: string): void;
  readonly windowMs: number;
}

export const LOGIN_WINDOW_MS = 15 * 60_000;
const MAX_KEY_CHARS = 256;

/** A Map that forgets its least recently touched entries beyond `max`. */
function bounded<V>(max: number) {
  const map = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const v = map.get(key);
      if (v !== undefined) {
        map.delete(key);
        map.set(key, v);
      }
      return v;
    },
    set(key: string, v: V) {
      map.delete(key);
      map.set(key, v);
      if (map.size > max) map.delete(map.keys().next().value!);
    },
    delete: (key: string) => map.delete(key),
  };
}

export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const trustMs = options.trustMs ?? 30 * 24 * 3600_000;
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 100_000;
  /** Times of the latest failures (at most the budget's worth), oldest first. */
  const accountFailures = bounded<number[]>(max);
  const addressFailures = bounded<number[]>(max);
  /** Per account: address -> until when it is familiar. */
  const familiar = bounded<Map<string, number>>(max);
  const key = (s: string) => s.slice(0, MAX_KEY_CHARS);

  const recent = (store: typeof accountFailures, k: string, t: number): number[] => {
    const list = (store.get(k) ?? []).filter((at) => at > t - windowMs);
    if (list.length === 0) store.delete(k);
    return list;
  };
  const record = (store: typeof accountFailures, k: string, budget: number, t: number) => {
    const list = recent(store, k, t);
    list.push(t);
    store.set(k, list.slice(-budget));
  };

  return {
    windowMs,
    check(account, address) {
      const t = now();
      const byAddress = recent(addressFailures, key(address), t);
      if (byAddress.length >= options.perAddress)
        return {
          ok: false,
          scope: "address",
          failures: byAddress.length,
          budget: options.perAddress,
          retryAfterMs: byAddress[0]! + windowMs - t,
        };
      const byAccount = recent(accountFailures, key(account), t);
      if (byAccount.length >= options.perAccount) {
        const until = familiar.get(key(account))?.get(key(address));
        if (until === undefined || until <= t)
          return {
            ok: false,
            scope: "account",
            failures: byAccount.length,
            budget: options.perAccount,
            retryAfterMs: byAccount[0]! + windowMs - t,
          };
      }
      return { ok: true };
    },
    failed(account, address) {
      const t = now();
      record(accountFailures, key(account), options.perAccount, t);
      record(addressFailures, key(address), options.perAddress, t);
    },
    succeeded(account, address) {
      const t = now();
      const addresses = familiar.get(key(account)) ?? new Map<string, number>();
      addresses.delete(key(address));
      addresses.set(key(address), t + trustMs);
      while (addresses.size > 16) addresses.delete(addresses.keys().next().value!);
      familiar.set(key(account), addresses);
    },
  };
}
