import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The export the gateway serves at `/` (apps/gateway serves out/ with @fastify/static). turbo's
 * `test` depends on `build`, so out/ is there when this runs.
 */
const out = fileURLToPath(new URL("../../out/", import.meta.url));

describe("static export", () => {
  it("has every page as <page>/index.html, so /datasets and /datasets/ both load", () => {
    expect(existsSync(out), "run `npm run build -w @cyxwiz/web` first").toBe(true);
    for (const page of ["index.html", "datasets/index.html", "sign-in/index.html"]) {
      expect(existsSync(`${out}${page}`), page).toBe(true);
    }
  });

  it("serves the dashboard at /, not the gateway's fallback page from public/", () => {
    const html = readFileSync(`${out}index.html`, "utf8");
    expect(html).toContain("/_next/static/");
    expect(html).not.toContain("the dashboard has not been built");
  });

  it("ships the compression codecs' wasm beside the scripts", () => {
    const media = readdirSync(`${out}_next/static/media`);
    expect(media.some((f) => /^zstd\..*\.wasm$/.test(f))).toBe(true);
    expect(media.some((f) => /^snappy_bg\..*\.wasm$/.test(f))).toBe(true);
  });

  it("ships TF.js's wasm backend files where the volunteer worker looks for them (/_next/static/tfjs-wasm/)", () => {
    const wasm = readdirSync(`${out}_next/static/tfjs-wasm`).sort();
    expect(wasm).toEqual([
      "tfjs-backend-wasm-simd.wasm",
      "tfjs-backend-wasm-threaded-simd.wasm",
      "tfjs-backend-wasm.wasm",
    ]);
  });

  it("has the compute plane's pages", () => {
    for (const page of ["jobs/index.html", "nodes/index.html", "volunteer/index.html"]) {
      expect(existsSync(`${out}${page}`), page).toBe(true);
    }
  });
});
