import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { NextConfig } from "next";

/** The part of webpack's API the TF.js wasm step uses (Next hands its own webpack in). */
interface WebpackCompiler {
  webpack: {
    Compilation: { PROCESS_ASSETS_STAGE_ADDITIONAL: number };
    sources: { RawSource: new (buffer: Buffer) => unknown };
  };
  hooks: {
    thisCompilation: {
      tap(
        name: string,
        fn: (compilation: {
          hooks: { processAssets: { tap(options: { name: string; stage: number }, fn: () => void): void } };
          emitAsset(file: string, source: unknown): void;
        }) => void,
      ): void;
    };
  };
}

/**
 * TF.js's WebAssembly backend fetches its .wasm files at run time (the volunteer worker points it
 * at them with setWasmPaths). This step emits the package's files into the client build as
 * `static/tfjs-wasm/*.wasm`, so the export serves them at `/_next/static/tfjs-wasm/`
 * (docs/compute.md "Dashboard").
 */
const tfjsWasmAssets = {
  apply(compiler: WebpackCompiler) {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    compiler.hooks.thisCompilation.tap("TfjsWasmAssets", (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: "TfjsWasmAssets", stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          for (const file of readdirSync(dist).filter((f) => f.endsWith(".wasm"))) {
            compilation.emitAsset(
              `static/tfjs-wasm/${file}`,
              new compiler.webpack.sources.RawSource(readFileSync(join(dist, file))),
            );
          }
        },
      );
    });
  },
};

/**
 * The dashboard is a static export (`out/`) that the gateway serves at `/`: no Node server, every
 * page is plain files, and all data comes from the gateway's Connect API in the browser.
 * The workspace packages ship TypeScript sources, so Next compiles them (`transpilePackages`).
 */
const config: NextConfig = {
  output: "export",
  reactStrictMode: true,
  transpilePackages: ["@cyxwiz/client", "@cyxwiz/protocol"],
  images: { unoptimized: true },
  // `npm run typecheck` checks this package with tsc (the same tsconfig, strict); the build does
  // not check it a second time (12 s of the build on a 2-core machine).
  typescript: { ignoreBuildErrors: true },
  // Every page is out/<page>/index.html: the gateway serves out/ with @fastify/static, which
  // answers "/datasets/" with its index.html (a "datasets.html" beside a "datasets/" folder of
  // route data would be shadowed by the folder).
  trailingSlash: true,
  // The workspace packages import their siblings as "./x.js" (TypeScript ESM style) while the
  // files are x.ts. Webpack maps that with extensionAlias; Turbopack (Next 16.4) cannot yet,
  // so the scripts build with `--webpack`.
  webpack(
    webpackConfig: { resolve: { extensionAlias?: Record<string, string[]> }; plugins: unknown[] },
    { isServer }: { isServer: boolean },
  ) {
    webpackConfig.resolve.extensionAlias = { ".js": [".ts", ".tsx", ".js"] };
    if (!isServer) webpackConfig.plugins.push(tfjsWasmAssets);
    return webpackConfig;
  },
};

export default config;
