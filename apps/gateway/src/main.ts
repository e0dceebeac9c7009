import { mkdir } from "node:fs/promises";
import { ConfigError, loadConfig } from "./config.js";
import { buildGateway } from "./gateway.js";

try {
  const config = loadConfig();
  await mkdir(config.dataDir, { recursive: true });
  const app = await buildGateway(config, { logger: true });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  process.stdout.write(`\nCyxWiz gateway is up. Open http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}/\n  data directory: ${config.dataDir}\n\n`);
} catch (e) {
  process.stderr.write(`cyxwiz gateway: ${e instanceof ConfigError ? e.message : (e as Error).stack}\n`);
  process.exit(2);
}
