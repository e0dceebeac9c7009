import type { Transport } from "@connectrpc/connect";
import { identityOf, type WorkerIdentity, workerIdentity } from "./volunteer-identity.js";
import type { FromVolunteerWorker, ToVolunteerWorker, VolunteerEvent } from "./volunteer-protocol.js";

/** runWorker's options, as "@cyxwiz/client/worker" takes them. */
export interface RunWorkerOptions {
  readonly transport: Transport;
  readonly identity: WorkerIdentity;
  readonly kind: "browser";
  readonly label: string;
  readonly capacity: {
    readonly cores: number;
    readonly memoryBytes: number;
    readonly backend: string;
    readonly region: string;
    readonly storageBytes: number;
  };
  readonly backend: "auto";
  readonly signal: AbortSignal;
  readonly onEvent: (event: VolunteerEvent) => void;
}

/** What the runner needs from its worker scope; tests hand in fakes. */
export interface VolunteerRunnerDeps {
  readonly runWorker: (options: RunWorkerOptions) => Promise<void>;
  /** Connect transport to the gateway carrying the person's token (connect-web in the worker). */
  readonly createTransport: (baseUrl: string, token: string) => Transport;
  /** Points TF.js's wasm backend at its .wasm files (setWasmPaths). */
  readonly setWasmPath: (path: string) => void;
  readonly post: (message: FromVolunteerWorker) => void;
}

/**
 * The Web Worker's side of the volunteer protocol: "join" starts runWorker (once; a second join
 * while running is refused), "leave" aborts it, which makes runWorker send Leave and return; then
 * "stopped" is posted, with the error when runWorker failed.
 */
export function createVolunteerRunner(deps: VolunteerRunnerDeps): { handle(message: ToVolunteerWorker): void } {
  let running: AbortController | undefined;
  return {
    handle(message) {
      switch (message.type) {
        case "join": {
          if (running !== undefined) {
            deps.post({ type: "event", event: { kind: "error", message: "already joined: stop first" } });
            return;
          }
          const stop = new AbortController();
          running = stop;
          void (async () => {
            try {
              deps.setWasmPath(message.wasmPath);
              const identity = identityOf(message.signingSeed, message.agreementSecret, "");
              await deps.runWorker({
                transport: deps.createTransport(message.baseUrl, message.token),
                identity: workerIdentity(identity),
                kind: "browser",
                label: message.label,
                capacity: { ...message.capacity, backend: "" },
                backend: "auto",
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
