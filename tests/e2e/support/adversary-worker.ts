import { create } from "@bufbuild/protobuf";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  generateIdentity,
  generateX25519KeyPair,
  registrationMessage,
  signMessage,
  updateMessage,
} from "@cyxwiz/protocol/crypto";
import { NodeCapacitySchema, NodeKind, NodeService } from "@cyxwiz/protocol/gen";
import { decodeUpdate, encodeUpdate } from "@cyxwiz/training";

/** What a misbehaving worker sends instead of a trained delta. */
export type Misbehaviour = "nan" | "scaled";

/**
 * A worker that registers properly and signs what it sends, but never trains: each round it
 * submits a delta of the right length that is NaN (round 1) or noise scaled far past an honest
 * update's norm (later rounds), or always `mode` when given. Used to check the gateway rejects
 * such updates and lowers the worker's reputation (docs/compute.md "Aggregation").
 */
export async function startAdversary(
  gatewayUrl: string,
  mode?: Misbehaviour,
): Promise<{ nodeId: Promise<string>; submittedRounds: () => number[]; stop: () => void }> {
  const identity = generateIdentity();
  const agreement = generateX25519KeyPair();
  let token = "";
  const auth: Interceptor = (next) => (req) => {
    if (token !== "") req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const transport = createConnectTransport({ baseUrl: gatewayUrl, httpVersion: "1.1", interceptors: [auth] });
  const nodes = createClient(NodeService, transport);
  const abort = new AbortController();
  /** The round of each update sent (an assignment re-sent for the same round is answered again). */
  const sent: number[] = [];
  const nodeId = (async () => {
    const { nonce } = await nodes.getChallenge({});
    const message = registrationMessage({
      nonce,
      signingPublicKey: identity.publicKey,
      agreementPublicKey: agreement.publicKey,
    });
    const reg = await nodes.register({
      signingPublicKey: identity.publicKey,
      agreementPublicKey: agreement.publicKey,
      capacity: create(NodeCapacitySchema, {
        cores: 64,
        memoryBytes: 64n << 30n,
        backend: "wasm",
        region: "",
        storageBytes: 1n << 40n,
      }),
      kind: NodeKind.DAEMON,
      label: "adversary",
      nonce,
      signature: signMessage(identity, message),
    });
    token = reg.nodeToken;
    const beat = setInterval(() => {
      nodes.heartbeat({}).catch(() => undefined);
    }, reg.heartbeatSeconds * 1000);
    abort.signal.addEventListener("abort", () => clearInterval(beat));
    void (async () => {
      for await (const ev of nodes.watchAssignments({}, { signal: abort.signal })) {
        if (ev.event.case !== "assignment") continue;
        const a = ev.event.value;
        const size = decodeUpdate(a.globalWeights).length;
        const bad = new Float32Array(size);
        const kind = mode ?? (a.round === 1 ? "nan" : "scaled");
        for (let i = 0; i < size; i++)
          bad[i] = kind === "nan" ? Number.NaN : ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 50;
        const delta = encodeUpdate(bad);
        await nodes.submitUpdate({
          jobId: a.jobId,
          round: a.round,
          delta,
          samples: 4000n,
          loss: 0.1,
          accuracy: 0.99,
          samplesPerSecond: 5000,
          backend: "wasm",
          signature: signMessage(identity, updateMessage(a.jobId, a.round, delta)),
        });
        sent.push(a.round);
      }
    })().catch(() => undefined);
    return reg.nodeId;
  })();
  return { nodeId, submittedRounds: () => [...sent], stop: () => abort.abort() };
}
