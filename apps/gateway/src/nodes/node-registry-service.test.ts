import { randomBytes } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { generateIdentity, generateX25519KeyPair, nodeIdOf } from "@cyxwiz/protocol/crypto";
import { NodeKind, NodeState } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFrames, type RunningGateway, startGateway } from "../../test-support/gateway-harness.js";
import { nodeClient, registerRequest, registerWorker } from "../../test-support/worker.js";
import type { NodeChange } from "./node-events.js";

let gw: RunningGateway;
const changes: NodeChange[] = [];
beforeAll(async () => {
  gw = await startGateway();
  gw.gateway.deps.nodeEvents.on("changed", (e) => changes.push(e));
});
afterAll(async () => {
  await gw.stop();
});

/** The ConnectError a call failed with (the test fails if it succeeded). */
async function refusal(call: Promise<unknown>): Promise<ConnectError> {
  const outcome = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (outcome === undefined) throw new Error("expected the call to be refused, and it succeeded");
  return outcome;
}

const store = () => gw.gateway.deps.store;

describe("NodeService registration", () => {
  it("registers a worker for a signed challenge, answers a node token, and people see it in ListNodes", async () => {
    const before = changes.length;
    const worker = await registerWorker(gw);
    const nodeId = nodeIdOf(worker.identity.publicKey);
    expect(worker.registered.nodeId).toBe(nodeId);
    expect(worker.registered.heartbeatSeconds).toBe(5);
    const expires = timestampDate(worker.registered.tokenExpiresAt!).getTime();
    expect(expires).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    expect(changes.slice(before)).toEqual([{ nodeId, change: "registered" }]);

    expect(await worker.client.heartbeat({ state: NodeState.BUSY })).toMatchObject({ nextHeartbeatSeconds: 5 });
    const { nodes } = await nodeClient(gw, gw.adminToken).listNodes({});
    const listed = nodes.find((n) => n.nodeId === nodeId);
    expect(listed).toMatchObject({
      kind: NodeKind.DAEMON,
      label: "test worker",
      state: NodeState.BUSY,
      reputation: 50,
      capacity: { cores: 4, memoryBytes: 8n << 30n, backend: "cpu", region: "test", storageBytes: 1n << 30n },
    });
    const record = await store().nodes.get(nodeId);
    expect(record?.agreementPublicKey).toEqual(worker.agreement.publicKey);
    expect(record?.operator).toBeNull(); // no person's token: an anonymous volunteer
    const audit = await store().audit.list({ subject: `node:${nodeId}` });
    expect(audit.map((e) => e.action)).toEqual(["node.register"]);
    expect(audit[0]?.actor).toBe(`node:${nodeId}`);
  });

  it("makes the person whose token registers a worker its operator, and refuses a token that does not verify", async () => {
    const worker = await registerWorker(gw, { operatorToken: gw.adminToken });
    expect((await store().nodes.get(worker.registered.nodeId))?.operator).toBe("admin");
    const audit = await store().audit.list({ subject: `node:${worker.registered.nodeId}` });
    expect(audit[0]?.actor).toBe("user:admin");
    const e = await refusal(registerWorker(gw, { operatorToken: "not-a-token" }));
    expect(e.code).toBe(Code.Unauthenticated);
    expect(e.rawMessage).toMatch(/not valid for this gateway.*or register without a token/);
  });

  it("refuses a forged registration (another key's signature, or a swapped agreement key) and keeps the nonce unspent", async () => {
    const anonymous = nodeClient(gw);
    const identity = generateIdentity();
    const agreement = generateX25519KeyPair().publicKey;
    const { nonce } = await anonymous.getChallenge({});
    const countBefore = (await store().nodes.list()).length;
    // Signed by someone else's key over the same message.
    const byAnother = registerRequest(generateIdentity(), agreement, nonce, { signingPublicKey: identity.publicKey });
    // Signed by the right key, but announcing another agreement key than the one signed.
    const swapped = {
      ...registerRequest(identity, agreement, nonce),
      agreementPublicKey: generateX25519KeyPair().publicKey,
    };
    for (const forged of [byAnother, swapped]) {
      const e = await refusal(anonymous.register(forged));
      expect(e.code).toBe(Code.Unauthenticated);
      expect(e.rawMessage).toBe("the registration signature does not verify for this signing key");
    }
    expect((await store().nodes.list()).length).toBe(countBefore);
    // Nothing was spent: the honest registration with the same nonce goes through.
    const ok = await anonymous.register(registerRequest(identity, agreement, nonce));
    expect(ok.nodeId).toBe(nodeIdOf(identity.publicKey));
  });

  it("takes a nonce once: a replayed registration and an unknown nonce are refused", async () => {
    const anonymous = nodeClient(gw);
    const identity = generateIdentity();
    const agreement = generateX25519KeyPair().publicKey;
    const { nonce } = await anonymous.getChallenge({});
    const request = registerRequest(identity, agreement, nonce);
    const first = await anonymous.register(request);
    const replay = await refusal(anonymous.register(request));
    expect(replay.code).toBe(Code.PermissionDenied);
    expect(replay.rawMessage).toMatch(/nonce is unknown or already used.*GetChallenge/);
    const unknown = await refusal(
      anonymous.register(registerRequest(identity, agreement, new Uint8Array(randomBytes(32)))),
    );
    expect(unknown.code).toBe(Code.PermissionDenied);
    // The replay did not re-register: the first token is still the current session's.
    expect((await store().nodes.get(first.nodeId))?.session).toBe(1);
    await nodeClient(gw, first.nodeToken).heartbeat({});
  });

  it("refuses an expired nonce", async () => {
    const nonce = new Uint8Array(randomBytes(32));
    await store().nodes.createChallenge(nonce, new Date(Date.now() - 1000));
    const identity = generateIdentity();
    const e = await refusal(
      nodeClient(gw).register(registerRequest(identity, generateX25519KeyPair().publicKey, nonce)),
    );
    expect(e.code).toBe(Code.FailedPrecondition);
    expect(e.rawMessage).toMatch(/nonce has expired.*60 s.*GetChallenge/);
    expect(await store().nodes.get(nodeIdOf(identity.publicKey))).toBeUndefined();
  });

  it("refuses an impossible capacity or malformed keys, naming the field, and registers nothing", async () => {
    const anonymous = nodeClient(gw);
    const identity = generateIdentity();
    const agreement = generateX25519KeyPair().publicKey;
    const { nonce } = await anonymous.getChallenge({});
    const capacity = { cores: 4, memoryBytes: 1n, backend: "cpu", region: "", storageBytes: 1n };
    const cases: Array<[Parameters<typeof registerRequest>[3], RegExp]> = [
      [{ capacity: { ...capacity, backend: "cuda" } }, /capacity.backend must be one of webgpu, wasm, cpu/],
      [{ capacity: { ...capacity, cores: 5000 } }, /cores must be an integer in \[0, 4096\]/],
      [{ capacity: { ...capacity, region: "r".repeat(65) } }, /region must be at most 64 characters/],
      [{ capacity: { ...capacity, memoryBytes: 1n << 60n } }, /memory_bytes must be at most 2\^53 - 1/],
      [{ label: "l".repeat(129) }, /label must be at most 128 characters/],
      [{ kind: NodeKind.UNSPECIFIED }, /kind must be NODE_KIND_DAEMON or NODE_KIND_BROWSER/],
      [{ signingPublicKey: new Uint8Array(31) }, /signing_public_key \(Ed25519\) must be 32 bytes, got 31/],
      [{ agreementPublicKey: new Uint8Array(0) }, /agreement_public_key \(X25519\) must be 32 bytes, got 0/],
      [{ signature: new Uint8Array(63) }, /signature \(Ed25519\) must be 64 bytes/],
    ];
    for (const [over, message] of cases) {
      const e = await refusal(anonymous.register(registerRequest(identity, agreement, nonce, over)));
      expect(e.code, String(message)).toBe(Code.InvalidArgument);
      expect(e.rawMessage).toMatch(message);
    }
    expect(await store().nodes.get(nodeIdOf(identity.publicKey))).toBeUndefined();
    await anonymous.register(registerRequest(identity, agreement, nonce)); // the nonce is still good
  });
});

describe("node tokens", () => {
  it("work only for NodeService: a node token on DatasetService or ListNodes is refused", async () => {
    const worker = await registerWorker(gw);
    const asNode = gw.clients(worker.registered.nodeToken);
    const e = await refusal(asNode.datasets.listDatasets({}));
    expect(e.code).toBe(Code.Unauthenticated);
    expect(e.rawMessage).toMatch(/node token only works for NodeService/);
    const list = await refusal(worker.client.listNodes({}));
    expect(list.code).toBe(Code.Unauthenticated);
    expect(list.rawMessage).toMatch(/node token only works for NodeService/);
    const whoAmI = await refusal(asNode.auth.whoAmI({}));
    expect(whoAmI.code).toBe(Code.Unauthenticated);
    // Nor the frames WebSocket, nor /metrics.
    const closed = await (await openFrames(gw.url, "tr_whatever", worker.registered.nodeToken)).closed;
    expect(closed.reason).toMatch(/node token only works for NodeService/);
    const metrics = await gw.gateway.app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${worker.registered.nodeToken}` },
    });
    expect(metrics.statusCode).toBe(401);
    expect(metrics.json()).toEqual({ message: expect.stringMatching(/node token only works for NodeService/) });
  });

  it("a person's token (or none) on a worker's method is refused, saying to register", async () => {
    for (const token of [gw.adminToken, undefined]) {
      const e = await refusal(nodeClient(gw, token).heartbeat({ state: NodeState.IDLE }));
      expect(e.code).toBe(Code.Unauthenticated);
      expect(e.rawMessage).toBe(
        "this method is for workers: register with NodeService.Register and use its node token",
      );
    }
  });

  it("an older registration's token is refused once the worker registers again", async () => {
    const first = await registerWorker(gw);
    const second = await registerWorker(gw, { identity: first.identity });
    expect(second.registered.nodeId).toBe(first.registered.nodeId);
    expect((await store().nodes.get(first.registered.nodeId))?.session).toBe(2);
    const e = await refusal(first.client.heartbeat({}));
    expect(e.code).toBe(Code.Unauthenticated);
    expect(e.rawMessage).toMatch(/older registration: the node registered again since/);
    await second.client.heartbeat({});
  });
});

describe("a worker's own calls", () => {
  it("Leave marks it left, tells the job engine, audits it, and ends its token", async () => {
    const worker = await registerWorker(gw);
    const nodeId = worker.registered.nodeId;
    const before = changes.length;
    await worker.client.leave({ reason: "shutting down" });
    expect((await store().nodes.get(nodeId))?.state).toBe("left");
    expect(changes.slice(before)).toEqual([{ nodeId, change: "left" }]);
    const audit = await store().audit.list({ subject: `node:${nodeId}` });
    expect(audit[0]).toMatchObject({ action: "node.leave", detail: { reason: "shutting down" } });
    const e = await refusal(worker.client.heartbeat({}));
    expect(e.rawMessage).toMatch(/the node has left: register again/);
  });

  it("Heartbeat refuses the states only the gateway sets", async () => {
    const worker = await registerWorker(gw);
    const e = await refusal(worker.client.heartbeat({ state: NodeState.LOST }));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toMatch(/NODE_STATE_IDLE or NODE_STATE_BUSY/);
  });

  it("ReportErasure lands in the audit log under the job", async () => {
    const worker = await registerWorker(gw);
    const jobId = `job_${"0a".repeat(12)}`;
    await worker.client.reportErasure({ jobId, chunks: 7, overwritten: true });
    const [entry] = await store().audit.list({ subject: `job:${jobId}` });
    expect(entry).toMatchObject({
      actor: `node:${worker.registered.nodeId}`,
      action: "node.erasure",
      detail: { jobId, node: worker.registered.nodeId, chunks: 7, overwritten: true },
    });
    const e = await refusal(worker.client.reportErasure({ jobId: "job_x", chunks: 1 }));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toMatch(/job_id must be "job_" and 24 hex digits/);
  });
});
