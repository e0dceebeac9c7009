import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../test-support/gateway-harness.js";
import { ConfigError, loadConfig } from "./config.js";
import { buildGateway } from "./gateway.js";
import { GATEWAY_NODE_FLAGS } from "./node-flags.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (e) {
    return Code[ConnectError.from(e).code];
  }
};

describe("gateway: configuration and first start", () => {
  it("reads its configuration from the environment with working defaults, and names a bad variable", async () => {
    const c = loadConfig({}, "/srv/cyxwiz");
    expect(c.port).toBe(8080);
    expect(c.host).toBe("127.0.0.1");
    expect(c.dataDir).toBe("/srv/cyxwiz/.cyxwiz-data");
    expect(c.databaseUrl).toBeUndefined();
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT must be a port number/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ CYXWIZ_WINDOW: "0" })).toThrow(/CYXWIZ_WINDOW/);
    expect(c.storeConcurrency).toBe(4);
    expect(c.directIo).toBe(true);
    expect(loadConfig({ CYXWIZ_DIRECT_IO: "0" }).directIo).toBe(false);
    // `npm start` runs the gateway with the measured V8 flags
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      scripts: { start: string };
    };
    expect(pkg.scripts.start).toBe(`node ${GATEWAY_NODE_FLAGS.join(" ")} --import tsx src/main.ts`);
    expect(loadConfig({ CYXWIZ_WINDOW: "2" }).storeConcurrency).toBe(2); // never more than the window
    expect(() => loadConfig({ CYXWIZ_STORE_CONCURRENCY: "0" })).toThrow(/CYXWIZ_STORE_CONCURRENCY/);
    expect(c.apiTokenDays).toBe(30);
    expect(loadConfig({ CYXWIZ_API_TOKEN_DAYS: "7" }).apiTokenDays).toBe(7);
    expect(() => loadConfig({ CYXWIZ_API_TOKEN_DAYS: "366" })).toThrow(
      /CYXWIZ_API_TOKEN_DAYS must be an integer from 1 to 365/,
    );
  });

  it("creates the admin account once, with its password and API token in 0600 files", async () => {
    expect(gw.gateway.firstStart.created).toBe(true);
    for (const f of ["admin-token", "admin-password", "jwt-key", "escrow-key"]) {
      expect((await stat(join(gw.dataDir, f))).mode & 0o777, f).toBe(0o600);
    }
    const who = await gw.clients(gw.adminToken).auth.whoAmI({});
    expect(who).toMatchObject({ username: "admin", admin: true });
  });

  it("answers /healthz, /metrics (Prometheus text) and serves the dashboard", async () => {
    const health = await gw.gateway.app.inject({ method: "GET", url: "/healthz" });
    expect(health.json()).toEqual({ status: "ok", store: "pglite" });
    const metrics = await gw.gateway.app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${gw.adminToken}` },
    });
    expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
    expect(metrics.body).toContain("cyxwiz_chunks_stored_total");
    const page = await gw.gateway.app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.body).toMatch(/<html/i);
  });
});

describe("gateway: one gateway per data directory", () => {
  it("refuses a second gateway on a data directory in use, keeps the first working, and frees it on close", async () => {
    const config = loadConfig({ PORT: "0", CYXWIZ_DATA_DIR: gw.dataDir, LOG_LEVEL: "silent" });
    let refused: unknown;
    try {
      await buildGateway(config, { logger: false });
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ name: "StoreError", code: "data_dir_in_use" });
    expect((await gw.gateway.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect(await gw.clients(gw.adminToken).auth.whoAmI({})).toMatchObject({ username: "admin" });

    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-gw-lock-"));
    try {
      const first = await buildGateway(loadConfig({ PORT: "0", CYXWIZ_DATA_DIR: dir, LOG_LEVEL: "silent" }), {
        logger: false,
      });
      expect(await readFile(join(dir, "gateway.lock"), "utf8")).toContain(`"pid":${process.pid}`);
      await first.app.close();
      await expect(stat(join(dir, "gateway.lock"))).rejects.toMatchObject({ code: "ENOENT" });
      const next = await buildGateway(loadConfig({ PORT: "0", CYXWIZ_DATA_DIR: dir, LOG_LEVEL: "silent" }), {
        logger: false,
      });
      await next.app.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("removes at start the temp files of a gateway killed mid-upload, and leaves the stored chunks alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-gw-tmp-"));
    const config = loadConfig({ PORT: "0", CYXWIZ_DATA_DIR: dir, LOG_LEVEL: "silent" });
    try {
      const first = await buildGateway(config, { logger: false });
      // No CYXWIZ_PASSWORD_COST here: the admin's password is hashed at the default, OWASP's cost.
      expect((await first.deps.store.users.findByUsername("admin"))?.passwordHash).toMatch(
        /^\$scrypt\$ln=17,r=8,p=1\$/,
      );
      const chunk = randomBytes(5000);
      const digest = new Uint8Array(createHash("sha256").update(chunk).digest());
      await first.deps.blobs.put(digest, chunk);
      await first.app.close();
      // what a SIGKILL mid-write leaves: fresh, empty temp files
      await writeFile(join(dir, "chunks", ".tmp", "0f1e2d3c4b5a69788796a5b4.part"), "");
      await writeFile(join(dir, "chunks", ".tmp", "a5b4c3d2e1f00f1e2d3c4b5a.part"), "");
      const next = await buildGateway(config, { logger: false });
      try {
        expect(await readdir(join(dir, "chunks", ".tmp"))).toEqual([]);
        expect(Buffer.from((await next.deps.blobs.get(digest)) ?? []).equals(chunk)).toBe(true);
      } finally {
        await next.app.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("gateway: the dashboard's pages", () => {
  it("answers a browser's unknown address with the dashboard's 404 page, and a program's with JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-dashboard-"));
    const dashboard = join(dir, "out");
    await mkdir(join(dashboard, "datasets"), { recursive: true });
    await writeFile(join(dashboard, "index.html"), "<html><body>upload</body></html>");
    await writeFile(join(dashboard, "datasets", "index.html"), "<html><body>datasets</body></html>");
    await writeFile(join(dashboard, "404.html"), "<html><body>This page does not exist</body></html>");
    const config = loadConfig({ PORT: "0", CYXWIZ_DATA_DIR: join(dir, "data"), LOG_LEVEL: "silent" });
    const { app } = await buildGateway(config, { logger: false, dashboardDir: dashboard });
    try {
      const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
      const datasets = await app.inject({ method: "GET", url: "/datasets/", headers: html });
      expect(datasets.statusCode).toBe(200);
      expect(datasets.body).toContain("datasets");
      const page = await app.inject({ method: "GET", url: "/no-such-page", headers: html });
      expect(page.statusCode).toBe(404);
      expect(page.headers["content-type"]).toMatch(/text\/html/);
      expect(page.body).toContain("This page does not exist");
      const program = await app.inject({
        method: "GET",
        url: "/no-such-page",
        headers: { accept: "application/json" },
      });
      expect(program.statusCode).toBe(404);
      expect(program.json()).toMatchObject({ error: "Not Found", statusCode: 404 });
      const post = await app.inject({ method: "POST", url: "/no-such-page", headers: html, payload: "{}" });
      expect(post.statusCode).toBe(404);
      expect(post.headers["content-type"]).toMatch(/application\/json/);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("gateway: accounts", () => {
  it("signs in with the first-start password and refuses a wrong one", async () => {
    const { readFile } = await import("node:fs/promises");
    const password = (await readFile(join(gw.dataDir, "admin-password"), "utf8")).trim();
    const anon = gw.clients("");
    const login = await anon.auth.login({ username: "admin", password });
    expect(login.token.split(".")).toHaveLength(3);
    // The run's CYXWIZ_PASSWORD_COST (10, docs/testing.md) reached the first start's hash.
    const admin = await gw.gateway.deps.store.users.findByUsername("admin");
    expect(admin?.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await codeOf(anon.auth.login({ username: "admin", password: "wrong-password" }))).toBe("Unauthenticated");
    expect(await codeOf(anon.auth.login({ username: "nobody", password }))).toBe("Unauthenticated");
  });

  it("refuses requests without a valid token, and lets only admins create accounts", async () => {
    expect(await codeOf(gw.clients("").datasets.listDatasets({}))).toBe("Unauthenticated");
    expect(await codeOf(gw.clients("not.a.jwt").datasets.listDatasets({}))).toBe("Unauthenticated");
    const admin = gw.clients(gw.adminToken);
    await admin.auth.createUser({ username: "carol", password: "carol-password" });
    const { token } = await gw.clients("").auth.login({ username: "carol", password: "carol-password" });
    expect(await codeOf(gw.clients(token).auth.createUser({ username: "dave", password: "dave-password" }))).toBe(
      "PermissionDenied",
    );
    expect(await codeOf(admin.auth.createUser({ username: "carol", password: "another-password" }))).toBe(
      "AlreadyExists",
    );
    expect(await codeOf(admin.auth.createUser({ username: "../etc", password: "password123" }))).toBe(
      "InvalidArgument",
    );
  });

  it("refuses an expired token with a message saying so", async () => {
    const { issueToken } = await import("./auth/session-tokens.js");
    const { token } = await issueToken(gw.gateway.deps.secrets.jwtKey, { username: "admin", admin: true }, -1);
    const e = await gw
      .clients(token)
      .datasets.listDatasets({})
      .catch((x) => ConnectError.from(x));
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).rawMessage).toMatch(/expired/);
  });
});
