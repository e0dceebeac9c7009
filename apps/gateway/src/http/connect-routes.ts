import type { DescMethod } from "@bufbuild/protobuf";
import { type ConnectRouter, createServiceImplSpec, type MethodImpl } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import type { BodyCaps } from "./body-limits.js";

/**
 * Connect routes registered one RPC at a time, each with its own `readMaxBytes` (its body cap,
 * applied to the body as sent and again once decompressed: http/body-limits.ts), and each
 * handler passed through `wrap`. Give the result to fastifyConnectPlugin as `routes`; inside,
 * register services as usual.
 *
 * @example
 * routes: capRoutes({ caps, wrap }, (router) => router.service(AuthService, impl))
 */
export function capRoutes(
  options: { readonly caps: BodyCaps; wrap(handler: UniversalHandler): UniversalHandler },
  register: (router: ConnectRouter) => void,
): (router: ConnectRouter) => void {
  return (router) => {
    const limits = (m: DescMethod) => ({ readMaxBytes: options.caps.capFor(m) });
    const capped: ConnectRouter = {
      handlers: router.handlers,
      service(service, implementation, opts) {
        // The same implementation spec router.service would build (unimplemented methods included).
        const spec = createServiceImplSpec(service, implementation);
        for (const m of service.methods) {
          const impl = spec.methods[m.localName]!.impl as MethodImpl<typeof m>;
          router.rpc(m, impl, { ...opts, ...limits(m) });
        }
        return capped;
      },
      rpc(method, impl, opts) {
        router.rpc(method, impl, { ...opts, ...limits(method) });
        return capped;
      },
    };
    const first = router.handlers.length;
    register(capped);
    for (let i = first; i < router.handlers.length; i++) router.handlers[i] = options.wrap(router.handlers[i]!);
  };
}
