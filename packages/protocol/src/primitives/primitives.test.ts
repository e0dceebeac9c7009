import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, inject, it } from "vitest";
import { describePrimitivesContract } from "../../test-support/primitives-contract.js";
import { createWebPrimitives } from "./web-primitives.js";

// Runs in Node and in headless Chromium: the web implementation must behave the same in both.
describePrimitivesContract("web, crypto.subtle", () => createWebPrimitives(), "web");
describePrimitivesContract(
  "web, forced fallback (hash-wasm + @noble/ciphers)",
  () => createWebPrimitives({ forceFallback: true }),
  "web-noble-fallback",
);

describe("@cyxwiz/protocol/primitives entry point", () => {
  it("resolves to this runtime's implementation through conditional exports", async () => {
    // Vite resolves the package's own "exports" with the runtime's conditions: `node` in the Node
    // run, `default` (the web entry) in the browser run.
    const p = await loadPrimitives();
    expect(p.name).toBe(inject("runtime") === "node" ? "node" : "web");
  });

  it("creates the instance once and shares it", async () => {
    expect(await loadPrimitives()).toBe(await loadPrimitives());
  });
});
