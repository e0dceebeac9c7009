import { createRouterTransport } from "@connectrpc/connect";
import type { WorkerOptions } from "@cyxwiz/client/worker";
import { generateIdentity, generateX25519KeyPair, verifySignature } from "@cyxwiz/protocol/crypto";
import { describe, expect, it } from "vitest";
import type { FromVolunteerWorker, ToVolunteerWorker } from "./volunteer-protocol.js";
import { createVolunteerRunner } from "./volunteer-runner.js";

function join(): Extract<ToVolunteerWorker, { type: "join" }> {
  return {
    type: "join",
    baseUrl: "https://gw.test",
    token: "a.b.c",
    label: "tab",
    capacity: { cores: 4, memoryBytes: 8e9, region: "eu", storageBytes: 1e9 },
    signingSeed: generateIdentity().secretKey,
    agreementSecret: generateX25519KeyPair().secretKey,
    wasmPath: "/_next/static/tfjs-wasm/",
  };
}

describe("volunteer runner", () => {
  it("runs runWorker with the identity and capacity, passes its events on, and stops on leave", async () => {
    const posted: FromVolunteerWorker[] = [];
    let options: WorkerOptions | undefined;
    const wasm: string[] = [];
    const runner = createVolunteerRunner({
      runWorker: (o) => {
        options = o;
        o.onEvent?.({ type: "registered", nodeId: "node_x" });
        return new Promise((resolve) =>
          o.signal.addEventListener("abort", () => {
            o.onEvent?.({ type: "left" });
            resolve();
          }),
        );
      },
      createTransport: () => createRouterTransport(() => {}),
      setWasmPath: (p) => wasm.push(p),
      expectedBackend: () => "webgpu",
      post: (m) => posted.push(m),
    });
    const message = join();
    runner.handle(message);
    await new Promise((r) => setTimeout(r, 0));
    expect(wasm).toEqual(["/_next/static/tfjs-wasm/"]);
    expect(options).toMatchObject({
      kind: "browser",
      label: "tab",
      backend: "auto",
      capacity: { cores: 4, region: "eu" },
    });
    const signed = await options!.identity.sign(new Uint8Array([7]));
    expect(verifySignature(options!.identity.signingPublicKey, new Uint8Array([7]), signed)).toBe(true);
    runner.handle(join());
    runner.handle({ type: "leave", reason: "Stop pressed" });
    await new Promise((r) => setTimeout(r, 0));
    expect(posted).toEqual([
      { type: "event", event: { type: "registered", nodeId: "node_x" } },
      { type: "event", event: { type: "error", message: "already joined: stop first" } },
      { type: "event", event: { type: "left" } },
      { type: "stopped" },
    ]);
  });

  it("reports runWorker's failure as stopped with the error", async () => {
    const posted: FromVolunteerWorker[] = [];
    const runner = createVolunteerRunner({
      runWorker: async () => {
        throw new Error("Register refused: bad signature");
      },
      createTransport: () => createRouterTransport(() => {}),
      setWasmPath: () => {},
      expectedBackend: () => "wasm",
      post: (m) => posted.push(m),
    });
    runner.handle(join());
    await new Promise((r) => setTimeout(r, 0));
    expect(posted).toEqual([{ type: "stopped", error: "Register refused: bad signature" }]);
  });
});
