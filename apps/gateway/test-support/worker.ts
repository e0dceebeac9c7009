import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  generateIdentity,
  generateX25519KeyPair,
  type Identity,
  registrationMessage,
  signMessage,
} from "@cyxwiz/protocol/crypto";
import {
  type NodeCapacitySchema,
  NodeKind,
  NodeService,
  type RegisterRequest,
  RegisterRequestSchema,
  type RegisterResponse,
} from "@cyxwiz/protocol/gen";

/** Fields of a RegisterRequest a test changes (nested capacity as a plain object). */
export interface RegisterInit {
  readonly signingPublicKey?: Uint8Array;
  readonly agreementPublicKey?: Uint8Array;
  readonly capacity?: MessageInitShape<typeof NodeCapacitySchema>;
  readonly kind?: NodeKind;
  readonly label?: string;
  readonly nonce?: Uint8Array;
  readonly signature?: Uint8Array;
}

import type { RunningGateway } from "./gateway-harness.js";

/** A NodeService client for `gw`, sending `token` (a node token, a person's, or none). */
export function nodeClient(gw: Pick<RunningGateway, "url">, token?: string): Client<typeof NodeService> {
  const bearer: Interceptor = (next) => (req) => {
    if (token !== undefined) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(
    NodeService,
    createConnectTransport({ baseUrl: gw.url, httpVersion: "1.1", interceptors: [bearer] }),
  );
}

/** A worker as a test drives it: its keys, what Register answered, and a client with its node token. */
export interface TestWorker {
  readonly identity: Identity;
  readonly agreement: { secretKey: Uint8Array; publicKey: Uint8Array };
  readonly registered: RegisterResponse;
  readonly client: Client<typeof NodeService>;
}

/**
 * The registration request a worker sends for `nonce`, signed by `identity` (a daemon with 4
 * cores on the cpu backend, unless `over` says otherwise).
 */
export function registerRequest(
  identity: Identity,
  agreementPublicKey: Uint8Array,
  nonce: Uint8Array,
  over: RegisterInit = {},
): RegisterRequest {
  const signature = signMessage(
    identity,
    registrationMessage({ nonce, signingPublicKey: identity.publicKey, agreementPublicKey }),
  );
  return create(RegisterRequestSchema, {
    signingPublicKey: identity.publicKey,
    agreementPublicKey,
    capacity: { cores: 4, memoryBytes: 8n << 30n, backend: "cpu", region: "test", storageBytes: 1n << 30n },
    kind: NodeKind.DAEMON,
    label: "test worker",
    nonce,
    signature,
    ...over,
  });
}

/**
 * Registers a worker the way a daemon does: GetChallenge, sign, Register. `operatorToken`, a
 * person's token, makes it that person's own worker; `identity` re-registers a known worker.
 */
export async function registerWorker(
  gw: Pick<RunningGateway, "url">,
  options: { operatorToken?: string; identity?: Identity; over?: RegisterInit } = {},
): Promise<TestWorker> {
  const identity = options.identity ?? generateIdentity();
  const agreement = generateX25519KeyPair();
  const anonymous = nodeClient(gw, options.operatorToken);
  const { nonce } = await anonymous.getChallenge({});
  const registered = await anonymous.register(registerRequest(identity, agreement.publicKey, nonce, options.over));
  return { identity, agreement, registered, client: nodeClient(gw, registered.nodeToken) };
}
