import { ConfigError, loadConfig } from "./config.js";
import { buildGateway } from "./gateway.js";
import { isStoreError } from "./store/index.js";

try {
  const config = loadConfig();
  const { app, firstStart } = await buildGateway(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const lines = [
    "",
    `CyxWiz gateway is up. Open http://${host}:${port}/`,
    `  data directory: ${config.dataDir} (metadata: ${config.databaseUrl === undefined ? "embedded PGlite" : "PostgreSQL"})`,
    firstStart.created
      ? `  first start: created the admin account. Password: ${firstStart.passwordPath}  API token: ${firstStart.tokenPath}`
      : `  admin password: ${firstStart.passwordPath}  API token: ${firstStart.tokenPath}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void app.close().then(() => process.exit(0));
    });
  }
} catch (e) {
  // Expected refusals (a bad variable, a data directory in use) as one line; anything else with its stack.
  const expected = e instanceof ConfigError || (isStoreError(e) && e.code === "data_dir_in_use");
  process.stderr.write(`cyxwiz gateway: ${expected ? (e as Error).message : (e as Error).stack}\n`);
  process.exit(2);
}
