// Bundles the `cyxwiz` CLI into dist/cyxwiz.js. Workspace packages (TypeScript sources) are
// bundled in; npm dependencies stay external and load from node_modules at run time.
import { build } from "esbuild";

await build({
  // Split: what only some commands need (the daemon's TF.js) loads in its own chunk, when used.
  entryPoints: { cyxwiz: "src/cli.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  conditions: ["node"],
  sourcemap: true,
  logLevel: "warning",
  plugins: [
    {
      name: "external-npm-packages",
      setup(b) {
        b.onResolve({ filter: /^[^./#]/ }, (args) =>
          args.path.startsWith("@cyxwiz/") ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
