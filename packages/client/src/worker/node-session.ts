import { type CallOptions, type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { nodeIdOf, registrationMessage } from "@cyxwiz/protocol/crypto";
import { NodeKind, NodeService } from "@cyxwiz/protocol/gen";
import { isTransient } from "../rpc-error.js";
import { sleep } from "../timers.js";
import type { WorkerOptions } from "./worker-options.js";

/** Tries of one unary call when it fails transiently. */
const CALL_ATTEMPTS = 3;

/** Re-register this long before the node token expires. */
const RENEW_BEFORE_MS = 60_000;

/**
 * The worker's standing with the gateway (docs/compute.md "Principals"): it registers by signing a
 * fresh challenge, holds the node token, adds it to every other call, and registers again when the
 * token nears its expiry or a call answers UNAUTHENTICATED.
 */
export class NodeSession {
  readonly #client: Client<typeof NodeService>;
  readonly #options: WorkerOptions;
  #token = "";
  #expiresAt = 0;
  #nodeId = "";
  #heartbeatSeconds: number;
  #registering: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.#heartbeatSeconds = options.heartbeatSeconds ?? 15;
    this.#client = createClient(NodeService, options.transport);
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  get heartbeatSeconds(): number {
    return this.#heartbeatSeconds;
  }

  set heartbeatSeconds(seconds: number) {
    if (seconds > 0) this.#heartbeatSeconds = seconds;
  }

  /** Whether the token is due for renewal (or there is none). */
  get needsRenewal(): boolean {
    return this.#token === "" || Date.now() >= this.#expiresAt - RENEW_BEFORE_MS;
  }

  /** GetChallenge → sign → Register; concurrent callers share one registration. */
  register(): Promise<void> {
    this.#registering ??= this.#register().finally(() => {
      this.#registering = undefined;
    });
    return this.#registering;
  }

  async #register(): Promise<void> {
    const o = this.#options;
    const signal = o.signal;
    const challenge = await this.#client.getChallenge({}, { signal });
    const message = registrationMessage({
      nonce: challenge.nonce,
      signingPublicKey: o.identity.signingPublicKey,
      agreementPublicKey: o.identity.agreementPublicKey,
    });
    const signature = await o.identity.sign(message);
    const headers = o.userToken === undefined ? undefined : { Authorization: `Bearer ${o.userToken}` };
    const answer = await this.#client.register(
      {
        signingPublicKey: o.identity.signingPublicKey,
        agreementPublicKey: o.identity.agreementPublicKey,
        capacity: {
          cores: o.capacity.cores,
          memoryBytes: BigInt(Math.floor(o.capacity.memoryBytes)),
          backend: o.capacity.backend,
          region: o.capacity.region,
          storageBytes: BigInt(Math.floor(o.capacity.storageBytes)),
        },
        kind: o.kind === "daemon" ? NodeKind.DAEMON : NodeKind.BROWSER,
        label: o.label,
        nonce: challenge.nonce,
        signature,
      },
      { signal, ...(headers === undefined ? {} : { headers }) },
    );
    const expected = nodeIdOf(o.identity.signingPublicKey);
    if (answer.nodeId !== expected)
      throw new ConnectError(`the gateway registered node ${answer.nodeId}, expected ${expected}`, Code.Internal);
    this.#token = answer.nodeToken;
    this.#nodeId = answer.nodeId;
    const expires = answer.tokenExpiresAt;
    this.#expiresAt =
      expires === undefined
        ? Number.POSITIVE_INFINITY
        : Number(expires.seconds) * 1000 + Math.floor(expires.nanos / 1e6);
    if (answer.heartbeatSeconds > 0 && this.#options.heartbeatSeconds === undefined)
      this.#heartbeatSeconds = answer.heartbeatSeconds;
  }

  /** Call options carrying the node token (and the worker's abort signal). */
  auth(): CallOptions {
    return { signal: this.#options.signal, headers: { Authorization: `Bearer ${this.#token}` } };
  }

  /**
   * Runs a unary call with the node token, registering first when the token nears expiry, and
   * again (then retrying) when the gateway answers UNAUTHENTICATED. A transient failure (a kept-alive
   * connection the server closed as the request went out, a gateway restarting) is retried twice.
   */
  async call<T>(
    run: (client: Client<typeof NodeService>, options: CallOptions) => Promise<T>,
    options: { signal?: CallOptions["signal"] } = {},
  ): Promise<T> {
    if (this.needsRenewal) await this.register();
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(this.#client, { ...this.auth(), ...options });
      } catch (e) {
        if (ConnectError.from(e).code === Code.Unauthenticated && attempt === 1) {
          await this.register();
          continue;
        }
        if (attempt >= CALL_ATTEMPTS || !isTransient(e) || this.#options.signal.aborted) throw e;
        await sleep(500 * attempt);
      }
    }
  }

  /** The NodeService client; pass {@link auth} as its call options. */
  get client(): Client<typeof NodeService> {
    return this.#client;
  }
}
