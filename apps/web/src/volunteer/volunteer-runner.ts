import type { Transport } from "@connectrpc/connect";
import type { WorkerOptions } from "@cyxwiz/client/worker";
import { identityOf, workerIdentity } from "./volunteer-identity.js";
import type { FromVolunteerWorker, ToVolunteerWorker } from "./volunteer-protocol.js";

/** What the runner needs from its worker scope; tests hand in fakes. */
export interface VolunteerRunnerDeps {
  /** `runWorker` from "@cyxwiz/client/worker". */
  readonly runWorker: (options: WorkerOptions) => Promise<void>;
  /** A Connect transport to the gateway, without auth (runWorker adds its node token). */
  readonly createTransport: (baseUrl: string) => Transport;
  /** Points TF.js's wasm backend at its .wasm files (setWasmPaths). */
  readonly setWasmPath: (path: string) => void;
  /** The backend this tab expects to train with, for its registration: "webgpu" when it has WebGPU, else "wasm". */
  readonly expectedBackend: () => string;
  readonly post: (message: FromVolunteerWorker) => void;
}

/**
 * The Web Worker's side of the volunteer protocol: "join" starts runWorker (once; a second join
 * while running is refused), registering the node as the signed-in person's own worker; "leave"
 * aborts it, which makes runWorker erase what it holds, send Leave and return; then "stopped" is
 * posted, with the error when runWorker failed.
 */
export function createVolunteerRunner(deps: VolunteerRunnerDeps): { handle(message: ToVolunteerWorker): void } {
  let running: AbortController | undefined;
  return {
    handle(message) {
      switch (message.type) {
        case "join": {
          if (running !== undefined) {
            deps.post({ type: "event", event: { type: "error", message: "already joined: stop first" } });
            return;
          }
          const stop = new AbortController();
          running = stop;
          void (async () => {
            try {
              deps.setWasmPath(message.wasmPath);
              const identity = identityOf(message.signingSeed, message.agreementSecret, "");
              await deps.runWorker({
                transport: deps.createTransport(message.baseUrl),
                identity: workerIdentity(identity),
                kind: "browser",
                label: message.label,
                capacity: { ...message.capacity, backend: deps.expectedBackend() },
                backend: "auto",
                userToken: message.token,
                signal: stop.signal,
                onEvent: (event) => deps.post({ type: "event", event }),
              });
              deps.post({ type: "stopped" });
            } catch (e) {
              deps.post({ type: "stopped", error: e instanceof Error ? e.message : String(e) });
            } finally {
              running = undefined;
            }
          })();
          return;
        }
        case "leave":
          running?.abort(new Error(message.reason));
          return;
        default:
          return assertNever(message);
      }
    },
  };
}

function assertNever(m: never): never {
  throw new Error(`unknown message to the volunteer worker: ${JSON.stringify(m)}`);
}
