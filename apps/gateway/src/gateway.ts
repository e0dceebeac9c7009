import { readFile } from "node:fs/promises";
import Fastify, { type FastifyInstance } from "fastify";
import type { GatewayConfig } from "./config.js";

/** Where the built dashboard lives (apps/web). */
const dashboardIndex = new URL("../../web/public/index.html", import.meta.url);

/**
 * Builds the gateway without listening (STYLE §13). This first cut serves the health check and
 * the dashboard's landing page; the control and data planes arrive with the upload work.
 */
export async function buildGateway(config: GatewayConfig, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  app.get("/healthz", async () => ({ status: "ok", dataDir: config.dataDir }));
  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(await readFile(dashboardIndex, "utf8")));
  return app;
}
