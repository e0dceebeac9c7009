import { createHash } from "node:crypto";
import { generateIdentity, generateX25519KeyPair, signMessage } from "@cyxwiz/protocol/crypto";
import { buildModel, decodeUpdate, layoutSize, weightsOf } from "@cyxwiz/training";
import { afterEach, describe, expect, it } from "vitest";
import { FAKE_MODEL_SPEC, FakeNodeService } from "../../test-support/fake-node-service.js";
import { runWorker } from "./run-worker.js";
import type { WorkerEvent } from "./worker-events.js";
import type { WorkerOptions } from "./worker-options.js";

/** A worker on the fake, with a fresh identity; stop() aborts it and waits for it to resolve. */
function startWorker(fake: FakeNodeService, extra: Partial<WorkerOptions> = {}) {
  const signing = generateIdentity();
  const agreement = generateX25519KeyPair();
  const controller = new AbortController();
  const events: WorkerEvent[] = [];
  const done = runWorker({
    transport: fake.transport(),
    identity: {
      signingPublicKey: signing.publicKey,
      agreementPublicKey: agreement.publicKey,
      sign: (m) => signMessage(signing, m),
      agreementSecretKey: agreement.secretKey,
    },
    kind: "daemon",
    label: "test worker",
    capacity: { cores: 2, memoryBytes: 1 << 30, backend: "cpu", region: "local", storageBytes: 1 << 20 },
    backend: "cpu",
    signal: controller.signal,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const stop = async () => {
    controller.abort();
    await done;
  };
  return { events, done, stop, signing };
}

const of = <T extends WorkerEvent["type"]>(events: WorkerEvent[], type: T) =>
  events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

describe("runWorker against the fake NodeService", () => {
  it("registers, trains its shard's selected rows and sends an update the gateway verifies", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake);
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    expect(fake.node.label).toBe("test worker");
    const d = fake.dataset;
    expect(d.stored.length).toBeGreaterThanOrEqual(3);
    // Rows 5.. of chunk 0 and the first 10 of chunk 1: a shard that is not whole chunks.
    const samples = [{ start: d.firstSamples[0]! + 5, end: d.firstSamples[1]! + 10 }];
    await fake.assign({ jobId: "job_rt", chunks: [0, 1], samples });
    await fake.until(() => fake.updates.length === 1);
    const u = fake.updates[0]!;
    expect(u.signatureValid).toBe(true);
    expect(u.jobId).toBe("job_rt");
    expect(u.samples).toBe(d.rows[0]! - 5 + 10);
    const model = buildModel(FAKE_MODEL_SPEC, 2);
    expect(decodeUpdate(u.delta).length).toBe(layoutSize(weightsOf(model).layout));
    model.dispose();
    expect(decodeUpdate(u.delta).some((v) => v !== 0)).toBe(true);
    expect(u.backend).toBe("cpu");
    expect(Number.isFinite(u.loss) && u.samplesPerSecond > 0).toBe(true);
    await fake.until(() => of(w.events, "submitted").length === 1);
    expect(of(w.events, "registered")[0]!.nodeId).toBe(fake.node.nodeId);
    expect(of(w.events, "backend")[0]).toMatchObject({ backend: "cpu" });
    expect(of(w.events, "assignment")[0]).toMatchObject({ jobId: "job_rt", samples: d.rows[0]! + 5, chunks: 2 });
    expect(of(w.events, "fetch").at(-1)).toMatchObject({ done: 2, total: 2, cached: 0 });
    expect(of(w.events, "batch").length).toBeGreaterThan(0);
    expect(of(w.events, "submitted")[0]).toMatchObject({ accepted: true });
  });

  it("refuses a chunk whose Merkle proof fails, naming it, and sends no update", async () => {
    const fake = await FakeNodeService.create();
    // A different payload with a matching FCS and SHA-256: only the Merkle proof can catch it.
    fake.tamper.set(1, (c) => {
      c.payload = c.payload.slice();
      c.payload[20]! ^= 0xff;
      c.fcs = fake.primitives.crc32(c.payload);
      c.checksum = new Uint8Array(createHash("sha256").update(c.payload).digest());
    });
    const w = startWorker(fake);
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    await fake.assign({ jobId: "job_bad", chunks: [0, 1] });
    await fake.until(() => of(w.events, "error").length > 0);
    expect(of(w.events, "error")[0]!.message).toMatch(/chunk 1: its Merkle proof does not lead/);
    expect(fake.updates).toHaveLength(0);
    expect(of(w.events, "batch")).toHaveLength(0);
  });

  it("refuses a chunk whose FCS does not match", async () => {
    const fake = await FakeNodeService.create();
    fake.tamper.set(0, (c) => {
      c.fcs = (c.fcs ^ 1) >>> 0;
    });
    const w = startWorker(fake);
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    await fake.assign({ jobId: "job_fcs", chunks: [0] });
    await fake.until(() => of(w.events, "error").length > 0);
    expect(of(w.events, "error")[0]!.message).toMatch(/chunk 0: the payload's CRC-32/);
    expect(fake.updates).toHaveLength(0);
  });

  it("cannot decrypt a chunk outside its key grant", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake);
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    await fake.assign({ jobId: "job_grant", chunks: [0, 1], grantChunks: [0] });
    await fake.until(() => of(w.events, "error").length > 0);
    expect(of(w.events, "error")[0]!.message).toMatch(/chunk 1 is not in this worker's key grant/);
    expect(fake.updates).toHaveLength(0);
  });

  it("erases a revoked job's chunks (overwritten) and reports the erasure", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake);
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    await fake.assign({ jobId: "job_rev", chunks: [0, 1, 2], secureDelete: true });
    await fake.until(() => fake.updates.length === 1);
    fake.revoke("job_rev");
    await fake.until(() => fake.erasures.length === 1);
    expect(fake.erasures[0]).toMatchObject({ jobId: "job_rev", chunks: 3, overwritten: true });
    expect(of(w.events, "erased")[0]).toMatchObject({ jobId: "job_rev", chunks: 3, overwritten: true });
  });

  it("leaves on abort and resolves", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    await w.stop();
    expect(w.events.filter((e) => e.type === "error")).toEqual([]);
    expect(fake.left).toHaveLength(1);
    expect(fake.left[0]!.nodeId).toBe(fake.node.nodeId);
    expect(w.events.at(-1)).toEqual({ type: "left" });
  });

  it("serves a second job over the same chunks from the chunk store, fetching nothing", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake);
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    await fake.assign({ jobId: "job_a", chunks: [0, 1] });
    await fake.until(() => fake.updates.length === 1);
    await fake.assign({ jobId: "job_b", chunks: [0, 1] });
    await fake.until(() => fake.updates.length === 2);
    expect(fake.fetches.filter((f) => f.jobId === "job_b")).toHaveLength(0);
    expect(fake.fetches.filter((f) => f.jobId === "job_a")).toEqual([{ jobId: "job_a", chunkIndices: [0, 1] }]);
    expect(of(w.events, "fetch").at(-1)).toMatchObject({ done: 2, total: 2, cached: 2 });
    expect(fake.updates[1]!.signatureValid).toBe(true);
  });

  it("registers again when a call answers UNAUTHENTICATED, and keeps working", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake, { heartbeatSeconds: 1 });
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    expect(fake.registrations).toBe(1);
    fake.forgetTokens();
    await fake.until(() => fake.registrations === 2);
    await fake.until(() => fake.heartbeats.length > 0);
    await fake.assign({ jobId: "job_after", chunks: [0] });
    await fake.until(() => fake.updates.length === 1);
    expect(fake.updates[0]!.signatureValid).toBe(true);
  });

  it("registers with the operator's token when given one", async () => {
    const fake = await FakeNodeService.create();
    const w = startWorker(fake, { userToken: "cyx_admin" });
    stops.push(w.stop);
    await fake.until(() => w.events.some((e) => e.type === "registered"));
    expect(fake.node.userToken).toBe("cyx_admin");
  });
});
