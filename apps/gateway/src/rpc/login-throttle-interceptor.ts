import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { AuthService, type LoginRequest } from "@cyxwiz/protocol/gen";
import type { LoginThrottle } from "../auth/login-throttle.js";
import { methodKey } from "./method-key.js";
import { clientAddressKey } from "./request-context.js";

const LOGIN = methodKey(AuthService.method.login);

/** "4 min 10 s" */
function duration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  const m = Math.floor(s / 60);
  return m === 0 ? `${s} s` : s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

/**
 * Applies the sign-in budgets (auth/login-throttle.ts) to AuthService.Login: a spent budget is
 * refused RESOURCE_EXHAUSTED, with the time to wait in the message and a Retry-After header,
 * before the password is checked (so the refusal says nothing about it); a wrong password or
 * unknown user counts a failure, a success makes the address familiar to the account.
 */
export function createLoginThrottleInterceptor(throttle: LoginThrottle): Interceptor {
  const windowMin = Math.round(throttle.windowMs / 60_000);
  return (next) => async (req) => {
    if (req.stream || methodKey(req.method) !== LOGIN) return next(req);
    const account = (req.message as LoginRequest).username;
    const address = req.contextValues.get(clientAddressKey);
    const verdict = throttle.check(account, address);
    if (!verdict.ok) {
      const wait = duration(verdict.retryAfterMs);
      const message =
        verdict.scope === "address"
          ? `too many failed sign-ins from this address (${verdict.failures} in ${windowMin} min); try again in ${wait}`
          : `too many failed sign-ins for this account (${verdict.failures} in ${windowMin} min); try again in ${wait}, or from an address that signed in to it before`;
      throw new ConnectError(message, Code.ResourceExhausted, {
        "retry-after": String(Math.ceil(verdict.retryAfterMs / 1000)),
      });
    }
    try {
      const res = await next(req);
      throttle.succeeded(account, address);
      return res;
    } catch (e) {
      if (ConnectError.from(e).code === Code.Unauthenticated) throttle.failed(account, address);
      throw e;
    }
  };
}
