import { createSealingPool, type SealingPool, type SealReply } from "./sealing-pool.js";

/**
 * The Web Worker's whole program: crypto.subtle AES-256-GCM, then SHA-256 of the sealed bytes.
 * Self-contained and started from a blob: URL, so no bundler needs to know about it.
 */
const WEB_SEAL_WORKER = `
const keys = new Map();
self.onmessage = async (event) => {
  const m = event.data;
  if (m.op === "key") {
    const raw = m.key;
    keys.set(m.keyId, crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt"]).finally(() => raw.fill(0)));
    return;
  }
  if (m.op === "drop") { keys.delete(m.keyId); return; }
  try {
    const key = await keys.get(m.keyId);
    if (key === undefined) throw new Error("unknown key " + m.keyId);
    const params = m.aad === undefined ? { name: "AES-GCM", iv: m.nonce } : { name: "AES-GCM", iv: m.nonce, additionalData: m.aad };
    const sealed = await crypto.subtle.encrypt(params, key, m.plaintext);
    const digest = await crypto.subtle.digest("SHA-256", sealed);
    self.postMessage({ job: m.job, sealed: [new Uint8Array(sealed)], digest: new Uint8Array(digest) }, [sealed]);
  } catch (e) {
    self.postMessage({ job: m.job, error: e && e.message ? e.message : String(e) });
  }
};
`;

/** The parts of the Worker, Blob and URL globals this module uses (the core has no DOM types). */
interface WebWorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  terminate(): void;
  onmessage: ((event: { data: SealReply }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
interface WebGlobals {
  Worker?: new (url: string) => WebWorkerLike;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  navigator?: { hardwareConcurrency?: number };
}

/** Whether this runtime can start a {@link createWebSealingPool} (Worker, Blob and crypto.subtle). */
export function canSealInWebWorkers(): boolean {
  const g = globalThis as unknown as WebGlobals;
  return (
    g.Worker !== undefined && g.Blob !== undefined && g.URL !== undefined && globalThis.crypto?.subtle !== undefined
  );
}

/**
 * A sealing pool of Web Workers (see `createSealingPool`), for pages and workers in secure
 * contexts: `size` defaults to `navigator.hardwareConcurrency` (at most 4).
 *
 * @throws Error when the runtime has no Worker, Blob, URL.createObjectURL or crypto.subtle
 *   (check {@link canSealInWebWorkers} first and seal on the calling thread otherwise).
 */
export function createWebSealingPool(size?: number): SealingPool {
  const g = globalThis as unknown as WebGlobals;
  if (!canSealInWebWorkers() || g.Worker === undefined || g.Blob === undefined || g.URL === undefined) {
    throw new Error("sealing in Web Workers needs Worker, Blob, URL.createObjectURL and crypto.subtle");
  }
  const { Worker, Blob, URL } = g;
  const url = URL.createObjectURL(new Blob([WEB_SEAL_WORKER], { type: "text/javascript" }));
  const count = size ?? Math.max(1, Math.min(4, g.navigator?.hardwareConcurrency ?? 2));
  const pool = createSealingPool((onReply, onFailure) => {
    const worker = new Worker(url);
    worker.onmessage = (event) => onReply(event.data);
    worker.onerror = (event) => onFailure(new Error(event.message ?? "the sealing worker could not start"));
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      setBusy: () => {},
      terminate: () => worker.terminate(),
    };
  }, count);
  return {
    size: pool.size,
    wrap: (base) => pool.wrap(base),
    close() {
      pool.close();
      URL.revokeObjectURL(url);
    },
  };
}
