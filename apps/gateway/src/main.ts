import { ConfigError, loadConfig } from "./config.js";
import { buildGateway } from "./gateway.js";
import { insecureWarning, startBanner } from "./start-banner.js";
import { isStoreError } from "./store/index.js";

try {
  const config = loadConfig();
  const { app, firstStart, tls } = await buildGateway(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const warning = insecureWarning(config);
  if (warning !== undefined) {
    process.stderr.write(`cyxwiz gateway: ${warning}\n`);
    app.log.warn({ host: config.host }, warning);
  }
  process.stdout.write(startBanner({ config, port, tls, firstStart }));
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
