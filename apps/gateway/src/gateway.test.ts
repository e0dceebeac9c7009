import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { buildGateway } from "./gateway.js";

describe("gateway shell", () => {
  it("answers /healthz and serves the dashboard page", async () => {
    const app = await buildGateway(loadConfig({ CYXWIZ_DATA_DIR: "/tmp/cyxwiz-test" }));
    const health = await app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: "ok", dataDir: "/tmp/cyxwiz-test" });
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("CyxWiz");
    await app.close();
  });

  it("reads its configuration from the environment with working defaults, and names a bad variable", () => {
    const c = loadConfig({}, "/srv/cyxwiz");
    expect(c).toEqual({ port: 8080, host: "127.0.0.1", dataDir: "/srv/cyxwiz/.cyxwiz-data" });
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT must be a port number/);
  });
});
