import { readFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { Code, ConnectError } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { parsePinSha256, resolveTlsTrust } from "@cyxwiz/client";
import { describeWorkerEvent, runWorker, type WorkerEvent } from "@cyxwiz/client/worker";
import { signMessage } from "@cyxwiz/protocol/crypto";
import { formatBytes } from "@cyxwiz/protocol/units";
import type { BackendPreference } from "@cyxwiz/training";
import { DAEMON_BACKENDS } from "../daemon-backends.js";
import { badInput } from "../exit-codes.js";
import { cacheChunkStore } from "../worker/cache-chunk-store.js";
import { openChunkCache, parseMaxStorage } from "../worker/chunk-cache.js";
import { daemonBackendChooser } from "../worker/daemon-backend.js";
import { loadOrCreateNodeIdentity } from "../worker/node-identity.js";

export interface DaemonOptions {
  gateway: string;
  dataDir: string;
  maxStorage: string;
  region: string;
  backend: string;
  label?: string;
  /** A person's token (the operator): the node is registered as their own worker. */
  token?: string;
  tokenFile?: string;
  caFile?: string;
  pinSha256?: string;
  json?: boolean;
}

/** Batch lines are logged at most this often (and the last of a round always). */
const BATCH_LOG_MS = 1000;

/**
 * `cyxwiz daemon`: a worker node of the compute plane (docs/node-daemon.md). Loads or creates the
 * node identity, opens the encrypted chunk cache, and runs the worker until SIGINT or SIGTERM, when
 * it erases what it holds, leaves the gateway and returns (exit 0). One log line per event on
 * stderr, or one JSON object per line on stdout with --json.
 */
export async function daemonCommand(opts: DaemonOptions): Promise<void> {
  if (!(DAEMON_BACKENDS as readonly string[]).includes(opts.backend))
    throw badInput(`--backend must be one of ${DAEMON_BACKENDS.join(", ")}, not "${opts.backend}"`);
  // Every option is checked before anything is written to the data directory.
  let maxStorage: number;
  try {
    maxStorage = parseMaxStorage(opts.maxStorage);
  } catch (e) {
    throw badInput((e as Error).message);
  }
  const userToken = await operatorToken(opts);
  const transport = await gatewayTransport(opts);
  const log = logger(opts.json === true);
  const { identity, created } = await loadOrCreateNodeIdentity(opts.dataDir).catch((e: Error) => {
    throw badInput(e.message);
  });
  log.line(
    { type: "identity", nodeId: identity.nodeId, created },
    `${created ? "created" : "loaded"} node identity ${identity.nodeId} (${opts.dataDir}/identity.json)`,
  );
  const cache = await openChunkCache({ dataDir: opts.dataDir, identity, maxStorage }).catch((e: Error) => {
    throw badInput(`--data-dir ${opts.dataDir}: ${e.message}`);
  });
  const maxBytes = cache.stats().maxBytes;
  log.line(
    { type: "cache", maxBytes, entries: cache.stats().entries },
    `chunk cache: ${cache.stats().entries} chunks, at most ${formatBytes(maxBytes)}`,
  );
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let lastBatch = 0;
  try {
    await runWorker({
      transport,
      identity: {
        signingPublicKey: identity.signing.publicKey,
        agreementPublicKey: identity.agreement.publicKey,
        sign: (m) => signMessage(identity.signing, m),
        agreementSecretKey: identity.agreement.secretKey,
      },
      kind: "daemon",
      label: opts.label ?? `daemon ${identity.nodeId.slice(5, 13)}`,
      capacity: {
        cores: availableParallelism(),
        memoryBytes: totalmem(),
        backend: opts.backend === "auto" ? "wasm" : opts.backend,
        region: opts.region,
        storageBytes: maxBytes,
      },
      backend: opts.backend as BackendPreference,
      chooseBackend: daemonBackendChooser(opts.backend as BackendPreference),
      chunkStore: cacheChunkStore(cache),
      ...(userToken === undefined ? {} : { userToken }),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "batch") {
          const now = Date.now();
          if (now - lastBatch < BATCH_LOG_MS) return;
          lastBatch = now;
        }
        if (e.type === "submitted") lastBatch = 0;
        log.event(e);
      },
    });
  } catch (e) {
    throw registrationFailure(e, opts.gateway);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await cache.flush();
  }
}

/** Why the worker could not start, for a person: the CLI's error (exit 2) for a gateway's refusal. */
function registrationFailure(e: unknown, gateway: string): unknown {
  if ((e as { name?: unknown } | null)?.name !== "ConnectError") return e;
  const ce = ConnectError.from(e);
  if (ce.code === Code.Unimplemented)
    return badInput(`the gateway at ${gateway} does not serve the compute plane (NodeService) yet: ${ce.rawMessage}`);
  return badInput(`registering with the gateway at ${gateway}: [${Code[ce.code]}] ${ce.rawMessage}`);
}

/** --token, --token-file, or CYXWIZ_TOKEN; none: the node registers without an operator. */
async function operatorToken(opts: DaemonOptions): Promise<string | undefined> {
  if (opts.token !== undefined) return opts.token.trim();
  if (opts.tokenFile !== undefined) {
    try {
      return (await readFile(opts.tokenFile, "utf8")).trim();
    } catch (e) {
      throw badInput(`cannot read token file ${opts.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const env = (process.env.CYXWIZ_TOKEN ?? "").trim();
  return env === "" ? undefined : env;
}

/** A Connect transport to --gateway (HTTP/1.1: the stream of assignments is long-lived), trusting it as --ca-file/--pin-sha256 say. */
async function gatewayTransport(opts: DaemonOptions) {
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(opts.gateway))
    throw badInput(`--gateway must be an http:// or https:// URL, not ${JSON.stringify(opts.gateway)}`);
  let ca: string | undefined;
  const caFile = opts.caFile ?? (process.env.CYXWIZ_CA_FILE || undefined);
  if (caFile !== undefined) {
    try {
      ca = await readFile(caFile, "utf8");
    } catch (e) {
      throw badInput(`cannot read CA file ${caFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  let pinSha256: string | undefined;
  if (opts.pinSha256 !== undefined) {
    try {
      pinSha256 = parsePinSha256(opts.pinSha256);
    } catch (e) {
      throw badInput(`--pin-sha256: ${(e as Error).message}`);
    }
  }
  const tls = await resolveTlsTrust(opts.gateway, {
    ...(ca === undefined ? {} : { ca }),
    ...(pinSha256 === undefined ? {} : { pinSha256 }),
  });
  return createConnectTransport({
    baseUrl: opts.gateway.replace(/\/+$/, ""),
    httpVersion: "1.1",
    ...(tls === undefined ? {} : { nodeOptions: { ...tls } }),
  });
}

/** Log lines: text on stderr with a timestamp, or JSON objects on stdout. */
function logger(json: boolean) {
  const line = (value: Record<string, unknown>, text: string) => {
    const at = new Date().toISOString();
    if (json) process.stdout.write(`${JSON.stringify({ at, ...value })}\n`);
    else process.stderr.write(`${at} ${text}\n`);
  };
  return { line, event: (e: WorkerEvent) => line({ ...e }, describeWorkerEvent(e)) };
}
