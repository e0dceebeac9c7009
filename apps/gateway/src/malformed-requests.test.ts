import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type DescMessage, type DescMethod, type DescService, fromBinary, fromJsonString } from "@bufbuild/protobuf";
import * as gen from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RunningGateway, startGateway } from "../test-support/gateway-harness.js";
import {
  envelope,
  http1Request,
  http2Session,
  type RawRequest,
  type RpcOutcome,
  type RpcProtocol,
  rpcOutcome,
} from "../test-support/raw-rpc.js";
import { registerWorker } from "../test-support/worker.js";
import { methodAccess } from "./rpc/method-access.js";
import { methodKey } from "./rpc/method-key.js";

/**
 * Issue 8, finding 3: a request body the gateway cannot decode is the caller's mistake, answered
 * INVALID_ARGUMENT (HTTP 400; gRPC status 3) on every RPC and every transport, never INTERNAL.
 * Every service the gateway serves is covered, so a new RPC is tested without a new line.
 */

const contract: DescService[] = (Object.values(gen) as unknown[]).filter(
  (v): v is DescService => typeof v === "object" && v !== null && "kind" in v && v.kind === "service",
);
/** Every service of the contract is served. */
const services = contract;
const methods: DescMethod[] = services.flatMap((s) => s.methods);

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const tag = (field: number, wireType: number) => {
  const bytes: number[] = [];
  let v = (field << 3) | wireType;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return new Uint8Array(bytes);
};

/** Protobuf bytes that do not decode as `input`, each with what is wrong with them. */
function badBinary(input: DescMessage): Array<[string, Uint8Array]> {
  const candidates: Array<[string, Uint8Array]> = [
    ["truncated varint", hex("08 ff ff")],
    ["length beyond the end", hex("0a 05 61")],
    ["wire type 7", hex("0f")],
    ["end group without a start", hex("0c")],
    ["field number 0", hex("00 01")],
    ["length of 4 GiB", hex("0a ff ff ff ff 0f 61")],
  ];
  const str = input.fields.find((f) => f.fieldKind === "scalar" && f.scalar === 9 /* STRING */);
  if (str !== undefined) candidates.push([`invalid UTF-8 in ${str.name}`, concat(tag(str.number, 2), hex("02 c3 28"))]);
  const msg = input.fields.find((f) => f.fieldKind === "message");
  if (msg !== undefined)
    candidates.push([`varint for message field ${msg.name}`, concat(tag(msg.number, 0), hex("01"))]);
  // Only bytes that really do not decode: the precondition every case below relies on.
  return candidates.filter(([, b]) => {
    try {
      fromBinary(input, b);
      return false;
    } catch {
      return true;
    }
  });
}

/** JSON that does not decode as `input` (unknown fields are ignored, as Connect does). */
function badJson(input: DescMessage): Array<[string, Uint8Array]> {
  const candidates: Array<[string, string]> = [
    ["cut-off JSON", "{"],
    ["a JSON array", "[]"],
    ["a JSON string", '"text"'],
    ["a trailing comma", '{"a":1,}'],
  ];
  for (const f of input.fields) {
    if (f.fieldKind === "scalar" && f.scalar === 9)
      candidates.push([`a number for string ${f.name}`, `{"${f.jsonName}":12}`]);
    if (f.fieldKind === "scalar" && f.scalar !== 9)
      candidates.push([`an object for ${f.name}`, `{"${f.jsonName}":{}}`]);
    if (f.fieldKind === "message") candidates.push([`a number for message ${f.name}`, `{"${f.jsonName}":5}`]);
  }
  return candidates
    .filter(([, s]) => {
      try {
        fromJsonString(input, s, { ignoreUnknownFields: true });
        return false;
      } catch {
        return true;
      }
    })
    .map(([name, s]) => [name, utf8(s)]);
}

interface Case {
  readonly method: DescMethod;
  readonly protocol: RpcProtocol;
  readonly http: "1.1" | "2";
  readonly what: string;
  readonly request: RawRequest;
  /** INVALID_ARGUMENT, except a declared length beyond the method's cap (RESOURCE_EXHAUSTED). */
  readonly expect: "InvalidArgument" | "ResourceExhausted";
}

function casesFor(method: DescMethod, token: string): Case[] {
  const path = `/${method.parent.typeName}/${method.name}`;
  const auth = { authorization: `Bearer ${token}` };
  const unary = method.methodKind === "unary";
  const out: Case[] = [];
  const add = (
    protocol: RpcProtocol,
    http: "1.1" | "2",
    what: string,
    headers: Record<string, string>,
    body: Uint8Array,
    expected: Case["expect"] = "InvalidArgument",
  ) =>
    out.push({
      method,
      protocol,
      http,
      what,
      request: { path, headers: { ...auth, ...headers }, body },
      expect: expected,
    });

  const binary = badBinary(method.input);
  const json = badJson(method.input);
  const empty = new Uint8Array(0);
  /** Envelope-level damage, for the enveloped protocols. */
  const badEnvelopes: Array<[string, Uint8Array, Record<string, string>, Case["expect"]?]> = [
    ["an envelope cut inside its header", hex("00 00 00"), {}],
    ["an envelope shorter than its declared length", envelope(0, hex("08 01"), 100), {}],
    ["a compressed envelope without an encoding", envelope(1, hex("08 01")), {}],
    ["a gzip envelope that is not gzip", envelope(1, utf8("not gzip at all")), { "grpc-encoding": "gzip" }],
    ["a cut-off gzip envelope", envelope(1, gzipSync(new Uint8Array(64)).subarray(0, 12)), { "grpc-encoding": "gzip" }],
    ["a declared length of 4 GiB", envelope(0, hex("08 01"), 0xffffffff), {}, "ResourceExhausted"],
    ...binary.map(([w, b]): [string, Uint8Array, Record<string, string>] => [
      `an envelope holding ${w}`,
      envelope(0, b),
      {},
    ]),
    ...binary.map(([w, b]): [string, Uint8Array, Record<string, string>] => [
      `a gzip envelope holding ${w}`,
      envelope(1, gzipSync(b)),
      { "grpc-encoding": "gzip" },
    ]),
  ];
  if (unary) {
    badEnvelopes.push(
      ["no message at all", empty, {}],
      ["two messages", concat(envelope(0, empty), envelope(0, empty)), {}],
    );
    for (const [w, b] of binary) add("connect", "1.1", w, { "content-type": "application/proto" }, b);
    for (const [w, b] of json) add("connect", "1.1", w, { "content-type": "application/json" }, b);
    for (const [w, b] of binary)
      add(
        "connect",
        "1.1",
        `gzip of ${w}`,
        { "content-type": "application/proto", "content-encoding": "gzip" },
        gzipSync(b),
      );
    add(
      "connect",
      "1.1",
      "a body that is not gzip",
      { "content-type": "application/proto", "content-encoding": "gzip" },
      utf8("plain"),
    );
    add(
      "connect",
      "1.1",
      "cut-off gzip",
      { "content-type": "application/proto", "content-encoding": "gzip" },
      gzipSync(new Uint8Array(64)).subarray(0, 12),
    );
    add("connect", "2", binary[0]![0], { "content-type": "application/proto" }, binary[0]![1]);
  }
  for (const [w, b, h, e] of badEnvelopes) {
    add("grpc", "2", w, { "content-type": "application/grpc", te: "trailers", ...h }, b, e);
    add("grpc-web", unary ? "1.1" : "2", w, { "content-type": "application/grpc-web+proto", ...h }, b, e);
    if (!unary)
      add(
        "connect-stream",
        "2",
        w,
        {
          "content-type": "application/connect+proto",
          ...(h["grpc-encoding"] === undefined ? {} : { "connect-content-encoding": h["grpc-encoding"] }),
        },
        b,
        e,
      );
  }
  return out;
}

let gw: RunningGateway;
/** A registered worker's node token, for the workers' methods (rpc/method-access.ts). */
let nodeToken: string;
beforeAll(async () => {
  // A long heartbeat period: the worker registered here stays live however long the test runs.
  gw = await startGateway({ CYXWIZ_RATE_LIMIT: "100000", CYXWIZ_HEARTBEAT_SECONDS: "3600" });
  nodeToken = (await registerWorker(gw)).registered.nodeToken;
});
afterAll(async () => {
  await gw.stop();
});

async function blobCount(dir: string): Promise<number> {
  let n = 0;
  for (const d of await readdir(join(dir, "chunks")).catch(() => []))
    n += (await readdir(join(dir, "chunks", d))).length;
  return n;
}

async function storedState() {
  const { store } = gw.gateway.deps;
  return {
    users: await store.users.count(),
    audit: (await store.audit.list({ limit: 1000 })).map((e) => e.id),
    datasets: await store.datasets.list("admin"),
    nodes: await store.nodes.list(),
    blobs: await blobCount(gw.dataDir),
  };
}

describe("malformed request bodies (issue 8, finding 3)", () => {
  it("covers every RPC of every service the gateway serves", () => {
    expect(services.map((s) => s.typeName).sort()).toEqual([
      "cyxwiz.compute.v1.JobService",
      "cyxwiz.compute.v1.NodeService",
      "cyxwiz.data.v1.AuthService",
      "cyxwiz.data.v1.DataTransferService",
      "cyxwiz.data.v1.DatasetService",
    ]);
    for (const m of methods) expect(badBinary(m.input).length, m.name).toBeGreaterThanOrEqual(4);
  });

  it("answers every undecodable request INVALID_ARGUMENT (HTTP 400, gRPC 3) on every RPC and transport, logs it, and stores nothing", async () => {
    const info = vi.spyOn(gw.gateway.app.log, "info");
    const error = vi.spyOn(gw.gateway.app.log, "error");
    const before = await storedState();
    const cases = methods.flatMap((m) =>
      casesFor(m, methodAccess(methodKey(m)) === "node" ? nodeToken : gw.adminToken),
    );
    const h2 = http2Session(gw.url);
    const results: Array<{ c: Case; got: RpcOutcome }> = [];
    try {
      const queue = [...cases];
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
            const res = c.http === "2" ? await h2.request(c.request) : await http1Request(gw.url, c.request);
            results.push({ c, got: rpcOutcome(c.protocol, res) });
          }
        }),
      );
    } finally {
      h2.close();
    }
    expect(results.length).toBe(cases.length);
    const wrong = results
      .filter(
        ({ c, got }) =>
          got.code !== c.expect ||
          (c.protocol === "connect" && got.status !== (c.expect === "InvalidArgument" ? 400 : 413)) ||
          (c.protocol !== "connect" && got.status !== 200),
      )
      .map(
        ({ c, got }) => `${c.method.name} ${c.protocol}/${c.http} ${c.what}: ${got.code} ${got.status} ${got.message}`,
      );
    expect(wrong).toEqual([]);
    // Every refusal is logged at info level with its method; none as a gateway failure.
    const refusals = info.mock.calls.filter(([obj]) => typeof obj === "object" && obj !== null && "method" in obj);
    expect(refusals.length).toBeGreaterThanOrEqual(cases.length);
    expect(error).not.toHaveBeenCalled();
    expect(await storedState()).toEqual(before);
    // and the gateway still serves
    expect((await gw.clients(gw.adminToken).auth.whoAmI({})).username).toBe("admin");
  }, 120_000);
});
