import type { NextConfig } from "next";

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
  // Every page is out/<page>/index.html: the gateway serves out/ with @fastify/static, which
  // answers "/datasets/" with its index.html (a "datasets.html" beside a "datasets/" folder of
  // route data would be shadowed by the folder).
  trailingSlash: true,
  // The workspace packages import their siblings as "./x.js" (TypeScript ESM style) while the
  // files are x.ts. Webpack maps that with extensionAlias; Turbopack (Next 16.4) cannot yet,
  // so the scripts build with `--webpack`.
  webpack(webpackConfig: { resolve: { extensionAlias?: Record<string, string[]> } }) {
    webpackConfig.resolve.extensionAlias = { ".js": [".ts", ".tsx", ".js"] };
    return webpackConfig;
  },
};

export default config;
