import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, type ConnectRouter, createContextValues } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { FRAME_OVERHEAD_BYTES } from "@cyxwiz/protocol/frame";
import { FRAMES_SUBPROTOCOL } from "@cyxwiz/protocol/frames-endpoint";
import { AuthService, DatasetService, DataTransferService, JobService, NodeService } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fastifyStatic from "@fastify/static";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { ensureAdmin, type FirstStart } from "./auth/first-start.js";
import { loadGatewaySecrets } from "./auth/gateway-secrets.js";
import { createNodeTokenVerifier } from "./auth/node-tokens.js";
import { createTokenVerifier } from "./auth/token-verifier.js";
import type { GatewayConfig } from "./config.js";
import { registerFramesRoute } from "./data-plane/frames-route.js";
import { createExpirySweeper } from "./datasets/expiry-sweeper.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { CONTROL_BODY_BYTES } from "./http/body-limits.js";
import { createDualProtocolServer, createSecureDualProtocolServer } from "./http/dual-protocol-server.js";
import { createGatewayMetrics } from "./http/gateway-metrics.js";
import { registerRateLimits } from "./http/rate-limits.js";
import { clientAddress, notAPerson, registerRequestCaller } from "./http/request-caller.js";
import { isRoutineRequest } from "./http/request-logging.js";
import { createRpcLimits } from "./http/rpc-limits.js";
import { reportRefusal } from "./http/rpc-refusal.js";
import { createJobEngine } from "./jobs/job-engine.js";
import { createJobEvents } from "./jobs/job-events.js";
import { createJobService } from "./jobs/job-service.js";
import { createNodeWorkService } from "./jobs/node-work-service.js";
import { createNodeEvents } from "./nodes/node-events.js";
import { createNodeLiveness } from "./nodes/node-liveness.js";
import { createNodeRegistryService } from "./nodes/node-registry-service.js";
import { createAuthInterceptor } from "./rpc/auth-interceptor.js";
import { createAuthService } from "./rpc/auth-service.js";
import { createDataTransferService } from "./rpc/data-transfer-service.js";
import { createDatasetService } from "./rpc/dataset-service.js";
import { clientAddressKey, requestCallerKey } from "./rpc/request-context.js";
import { createDirectoryBlobStore, type DataDirLock, lockDataDir, openMetadataStore } from "./store/index.js";
import { loadTlsMaterial, type TlsMaterial } from "./tls/tls-material.js";
import { createDigestLocks } from "./transfers/digest-locks.js";
import { createTransferHub } from "./transfers/transfer-hub.js";

/** The built dashboard (apps/web, `next build` with static export), served at `/`. */
const dashboardDir = fileURLToPath(new URL("../../web/out/", import.meta.url));
const landingPage = new URL("../../web/public/index.html", import.meta.url);

export interface BuiltGateway {
  readonly app: FastifyInstance;
  readonly deps: GatewayDeps;
  readonly firstStart: FirstStart;
  /** The certificate served when TLS is on (config.tls), for the start banner. */
  readonly tls?: TlsMaterial;
}

/**
 * Builds the gateway without listening (STYLE §13): metadata store (PGlite or PostgreSQL), chunk
 * blobs, keys, the Connect services (Connect, gRPC and gRPC-Web on one endpoint), the frames
 * WebSocket, rate limits, /healthz, /metrics, and the dashboard. Close it with `app.close()`.
 */
export async function buildGateway(
  config: GatewayConfig,
  options: {
    logger?: boolean;
    /** The built dashboard to serve (default: apps/web/out); tests point it elsewhere. */
    dashboardDir?: string;
  } = {},
): Promise<BuiltGateway> {
  await mkdir(config.dataDir, { recursive: true });
  // TLS material first: the server the factory makes needs it (docs/operations.md).
  const tls = config.tls === undefined ? undefined : await loadTlsMaterial(config.tls, config.host);
  const app = Fastify({
    logger: options.logger === false || config.logLevel === "silent" ? false : { level: config.logLevel },
    logController: new LogController({
      disableRequestLogging: (req) => isRoutineRequest(req.url, config.logLevel),
    }),
    serverFactory:
      tls === undefined ? createDualProtocolServer : (handler) => createSecureDualProtocolServer(handler, tls),
    // Bodies fastify parses itself; RPC bodies have a cap per method (http/body-limits.ts).
    bodyLimit: CONTROL_BODY_BYTES,
  });
  // One gateway per data directory: a second one over the same embedded database would corrupt it.
  const lock = await lockDataDir(config.dataDir, app.log);
  try {
    const built = await assemble(app, config, options, lock);
    if (tls !== undefined) app.log.info({ source: tls.source, fingerprint256: tls.fingerprint256 }, "TLS 1.3 on");
    return tls === undefined ? built : { ...built, tls };
  } catch (e) {
    await app.close().catch(() => undefined);
    await lock.release();
    throw e;
  }
}

async function assemble(
  app: FastifyInstance,
  config: GatewayConfig,
  options: { dashboardDir?: string },
  lock: DataDirLock,
): Promise<BuiltGateway> {
  const store = await openMetadataStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, logger: app.log });
  app.addHook("onClose", async () => {
    await store.close();
    await lock.release();
  });
  const blobs = await createDirectoryBlobStore(join(config.dataDir, "chunks"), {
    directIo: config.directIo,
    onDirectIoOff: (reason) => app.log.warn({ reason }, "chunk files fall back to buffered writes"),
    exclusive: true, // the data-directory lock is held: temp files there are a dead gateway's
  });
  app.log.info({ directIo: blobs.directIo, tempFilesRemoved: blobs.tempFilesRemoved }, "chunk store ready");
  const secrets = await loadGatewaySecrets(config.dataDir);
  const primitives = await loadPrimitives();
  const metrics = createGatewayMetrics();
  const digestLocks = createDigestLocks();
  const hub = createTransferHub({
    store,
    blobs,
    primitives,
    maxPayloadBytes: config.maxPayloadBytes,
    window: config.window,
    storeConcurrency: config.storeConcurrency,
    digestLocks,
    metrics,
  });
  const tokens = createTokenVerifier({
    jwtKey: secrets.jwtKey,
    revokedIds: () => store.apiTokens.revokedIds(),
    onReadError: (err) => app.log.error({ err }, "cannot read revoked tokens: refusing tokens until it can"),
  });
  const nodeTokens = createNodeTokenVerifier({
    jwtKey: secrets.jwtKey,
    currentNode: (nodeId) => store.nodes.get(nodeId),
    onReadError: (err) => app.log.error({ err }, "cannot read nodes: refusing node tokens until it can"),
  });
  const nodeEvents = createNodeEvents((err, e) => app.log.error({ err, ...e }, "a node event listener failed"));
  const deps: GatewayDeps = {
    config,
    store,
    blobs,
    hub,
    digestLocks,
    secrets,
    tokens,
    primitives,
    metrics,
    log: app.log,
    nodeEvents,
    jobEvents: createJobEvents(),
  };
  // Versions past their policy's expiry are deleted by the gateway itself (docs/data-policy.md).
  const sweeper = createExpirySweeper({ deps, intervalMs: config.expirySweepSeconds * 1000 });
  app.addHook("onReady", async () => sweeper.start());
  app.addHook("preClose", async () => sweeper.stop()); // before onClose closes the store
  // Workers silent past their lease are marked lost (docs/compute.md "Heartbeats").
  const liveness = createNodeLiveness({ deps, heartbeatSeconds: config.heartbeatSeconds });
  app.addHook("onReady", async () => liveness.start());
  app.addHook("preClose", async () => liveness.stop());
  // The compute plane's rounds: every job resumed from the database at start (docs/compute.md).
  const engine = createJobEngine(deps, { heartbeatSeconds: config.heartbeatSeconds });
  // A worker registering, leaving or lost changes what the engine can schedule: wake it now.
  nodeEvents.on("changed", () => deps.jobEvents.wake());
  app.addHook("onReady", async () => engine.start());
  app.addHook("preClose", async () => {
    deps.jobEvents.close(); // WatchJob and WatchAssignments streams end, so the server can close
    await engine.stop();
  });
  const firstStart = await ensureAdmin(store, config.dataDir, secrets.jwtKey, config.apiTokenDays, config.passwordCost);
  if (firstStart.tokenRenewed)
    app.log.warn({ path: firstStart.tokenPath }, "admin-token held a token without an id (not revocable): replaced");

  // Who is calling, from the headers alone, then their budget (ARCHITECTURE §7; docs/operations.md).
  registerRequestCaller(app, tokens, nodeTokens);
  await registerRateLimits(app, config);

  await app.register(websocket, {
    options: {
      maxPayload: config.maxPayloadBytes + FRAME_OVERHEAD_BYTES, // one frame: larger messages close with 1009
      perMessageDeflate: false,
      handleProtocols: (protocols: Set<string>) => (protocols.has(FRAMES_SUBPROTOCOL) ? FRAMES_SUBPROTOCOL : false),
    },
  });
  await registerFramesRoute(app, deps);

  const limits = createRpcLimits(app, deps, [
    DataTransferService,
    DatasetService,
    AuthService,
    NodeService,
    JobService,
  ]);
  const routes = limits.routes((router: ConnectRouter) => {
    router.service(DataTransferService, createDataTransferService(deps));
    router.service(DatasetService, createDatasetService(deps));
    router.service(AuthService, createAuthService(deps));
    // NodeService: the registry (nodes/) and the job engine's worker methods (jobs/).
    router.service(NodeService, { ...createNodeRegistryService(deps), ...createNodeWorkService(deps) });
    router.service(JobService, createJobService(deps));
  });
  await app.register(fastifyConnectPlugin, {
    routes,
    acceptCompression: limits.acceptCompression,
    interceptors: [
      limits.decoding,
      createAuthInterceptor(),
      (next) => async (req) => {
        try {
          return await next(req);
        } catch (e) {
          const ce = ConnectError.from(e);
          if (ce.code !== Code.Internal)
            reportRefusal(app.log, metrics, req.method.name, ce, req.contextValues.get(clientAddressKey));
          else {
            metrics.rpcErrors.inc({ code: Code[ce.code] });
            app.log.error({ err: ce.cause ?? e, method: req.method.name }, "rpc failed");
          }
          throw ce;
        }
      },
      limits.loginThrottle, // inside the logging above, so its refusals are logged and counted
    ],
    contextValues: (req) =>
      createContextValues().set(clientAddressKey, clientAddress(req)).set(requestCallerKey, req.caller),
  });

  app.get("/healthz", async () => ({ status: "ok", store: store.driverKind }));
  // Admins only, with a bearer token as a Prometheus scraper sends it (README: /metrics).
  app.get("/metrics", async (req, reply) => {
    const caller = req.caller; // verified from the headers by the first hook (http/request-caller.ts)
    if (caller.kind !== "user") {
      const { message, unavailable } = notAPerson(caller);
      return reply
        .code(unavailable ? 503 : 401)
        .header("www-authenticate", 'Bearer realm="cyxwiz"')
        .send({ message });
    }
    if (!caller.principal.admin) return reply.code(403).send({ message: "only an admin can read /metrics" });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const dashboard = options.dashboardDir ?? dashboardDir;
  if (existsSync(join(dashboard, "index.html"))) {
    await app.register(fastifyStatic, { root: dashboard, extensions: ["html"] });
    // A person who mistypes a dashboard address gets the dashboard's 404 page; programs (no
    // text/html in Accept, or not a GET) keep fastify's JSON 404.
    const notFoundPage = await readFile(join(dashboard, "404.html"), "utf8").catch(() => undefined);
    if (notFoundPage !== undefined) {
      app.setNotFoundHandler((req, reply) => {
        const wantsPage =
          (req.method === "GET" || req.method === "HEAD") && (req.headers.accept ?? "").includes("text/html");
        if (wantsPage) return reply.code(404).type("text/html; charset=utf-8").send(notFoundPage);
        return reply
          .code(404)
          .send({ message: `Route ${req.method}:${req.url} not found`, error: "Not Found", statusCode: 404 });
      });
    }
  } else {
    app.get("/", async (_req, reply) =>
      reply.type("text/html; charset=utf-8").send(await readFile(landingPage, "utf8")),
    );
  }
  return { app, deps, firstStart };
}
