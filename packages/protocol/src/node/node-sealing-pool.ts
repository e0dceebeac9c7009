import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { createSealingPool, type SealingPool, type SealReply } from "../primitives/sealing-pool.js";

/**
 * The worker thread's whole program: node:crypto AES-256-GCM, then SHA-256 of the sealed bytes
 * (ciphertext and tag, hashed and returned as two pieces: never joined by a copy), and their
 * CRC-32, which the calling thread combines with the frame header's (crc32Combine).
 * Self-contained (no imports of this package), so it runs the same from sources, from tsx and
 * from the bundled `cyxwiz` CLI.
 */
const NODE_SEAL_WORKER = `
const { parentPort } = require("node:worker_threads");
const { createCipheriv, createHash, createSecretKey } = require("node:crypto");
const { crc32 } = require("node:zlib");
const keys = new Map();
parentPort.on("message", (m) => {
  if (m.op === "key") { keys.set(m.keyId, createSecretKey(m.key)); m.key.fill(0); return; }
  if (m.op === "drop") { keys.delete(m.keyId); return; }
  try {
    const key = keys.get(m.keyId);
    if (key === undefined) throw new Error("unknown key " + m.keyId);
    const c = createCipheriv("aes-256-gcm", key, m.nonce);
    if (m.aad !== undefined) c.setAAD(m.aad);
    const body = c.update(m.plaintext);
    c.final(); // GCM has no final block: everything came out of update()
    // The plaintext is no longer needed: hand its buffer back (when it is ours whole) for the next read.
    const p = m.plaintext;
    const spare = !(p.buffer instanceof SharedArrayBuffer) && p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : undefined;
    const tag = new Uint8Array(c.getAuthTag());
    const digest = new Uint8Array(createHash("sha256").update(body).update(tag).digest());
    const crc = body.length > 0 ? crc32(tag, crc32(body)) : crc32(tag);
    // The ciphertext goes back by transfer when it owns its memory (a large update() output does).
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const transfer = own ? [body.buffer] : [];
    if (spare !== undefined) transfer.push(spare.buffer);
    parentPort.postMessage({ job: m.job, sealed: [body, tag], digest, crc, spare }, transfer);
  } catch (e) {
    parentPort.postMessage({ job: m.job, error: e instanceof Error ? e.message : String(e) });
  }
});
`;

/**
 * A sealing pool of worker threads (see `createSealingPool`): `size` defaults to the machine's
 * available parallelism. Idle workers do not keep the process alive; `close()` stops them.
 *
 * @example
 * const pool = createNodeSealingPool();
 * const primitives = pool.wrap(await loadPrimitives()); // AES-GCM keys now seal on every core
 */
export function createNodeSealingPool(size = availableParallelism()): SealingPool {
  return createSealingPool((onReply, onFailure) => {
    // No inherited flags: the script is plain CommonJS needing no loader (not tsx's, nor an
    // --input-type=module that would make `require` undefined).
    const worker = new Worker(NODE_SEAL_WORKER, { eval: true, execArgv: [] });
    worker.on("message", (reply: SealReply) => onReply(reply));
    worker.on("error", onFailure);
    worker.on("exit", (code) => onFailure(new Error(`worker thread exited with code ${code}`)));
    worker.unref();
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  }, size);
}
