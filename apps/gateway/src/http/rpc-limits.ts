import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import type { FastifyInstance } from "fastify";
import { createLoginThrottle } from "../auth/login-throttle.js";
import type { GatewayDeps } from "../gateway-deps.js";
import { createLoginThrottleInterceptor } from "../rpc/login-throttle-interceptor.js";
import { methodAccess } from "../rpc/method-access.js";
import { methodKey } from "../rpc/method-key.js";
import { clientAddressKey } from "../rpc/request-context.js";
import {
  createRequestDecodingInterceptor,
  type RequestDecodingOptions,
  withRequestErrors,
} from "../rpc/request-decoding.js";
import { createBodyCaps } from "./body-limits.js";
import { registerConnectGate } from "./connect-gate.js";
import { capRoutes } from "./connect-routes.js";
import { clientAddress } from "./request-caller.js";
import { reportRefusal } from "./rpc-refusal.js";

/** What the Connect plugin is given to enforce the limits on RPCs (issue 8, findings 1, 3, 4). */
export interface RpcLimits {
  /** Wraps the route registrations: per-method body caps, decoding errors as INVALID_ARGUMENT. */
  routes(register: (router: ConnectRouter) => void): (router: ConnectRouter) => void;
  /** The encodings accepted (each decompression is capped at the method's cap). */
  readonly acceptCompression: Compression[];
  /** First in the interceptor chain: marks requests that decoded, checks request streams. */
  readonly decoding: Interceptor;
  /** Sign-in budgets for AuthService.Login. */
  readonly loginThrottle: Interceptor;
}

/**
 * Sets up the limits on the Connect routes for `services`: the authentication and size gate
 * before any body is read (http/connect-gate.ts), per-method caps on reading and decompressing
 * (http/body-limits.ts), decoding failures answered INVALID_ARGUMENT (rpc/request-decoding.ts)
 * and the sign-in budgets (auth/login-throttle.ts). Call before registering the Connect plugin.
 */
export function createRpcLimits(
  app: FastifyInstance,
  deps: Pick<GatewayDeps, "config" | "metrics">,
  services: readonly DescService[],
): RpcLimits {
  const caps = createBodyCaps(deps.config);
  const acceptCompression = [compressionGzip, compressionBrotli];
  registerConnectGate(app, {
    services,
    access: methodAccess,
    caps,
    refused: (m, e, req) => reportRefusal(app.log, deps.metrics, methodKey(m), e, clientAddress(req)),
  });
  const decoding: RequestDecodingOptions = {
    acceptCompression,
    capFor: caps.capFor,
    refused: (m, e, values) => reportRefusal(app.log, deps.metrics, methodKey(m), e, values?.get(clientAddressKey)),
  };
  const throttle = createLoginThrottle({
    perAccount: deps.config.loginFailuresPerAccount,
    perAddress: deps.config.loginFailuresPerAddress,
  });
  return {
    routes: (register) => capRoutes({ caps, wrap: (h) => withRequestErrors(h, decoding) }, register),
    acceptCompression,
    decoding: createRequestDecodingInterceptor(decoding),
    loginThrottle: createLoginThrottleInterceptor(throttle),
  };
}
