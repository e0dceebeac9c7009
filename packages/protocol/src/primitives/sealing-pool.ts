import { joinPieces } from "../pieces.js";
import { type AesGcmKey, checkAesGcmArgs, type Primitives, type SealedAndHashed } from "./primitives.js";

/**
 * Parallel sealing: AES-256-GCM encryption plus SHA-256 of the sealed bytes — the two costs of
 * every chunk (ARCHITECTURE §4) — on worker threads, so chunks are sealed on every core while the
 * calling thread reads, frames and sends. One thread of native AES-GCM + SHA-256 is the ceiling
 * of a single-threaded pipeline (about 1 GB/s in Node here, 355 MB/s in a Chromium worker, whose
 * crypto.subtle calls do not overlap); the pool is how ingest goes past it.
 *
 * The pool is runtime-neutral: a runtime adapter spawns the workers (worker_threads in
 * `@cyxwiz/protocol/node`, Web Workers in `createWebSealingPool`) and each runs a small
 * self-contained script over its runtime's native AES-GCM and SHA-256. Nonces are chosen by the
 * caller (the chunk cipher's suite), never by the workers.
 */

/** A message a sealing worker receives. */
export type SealRequest =
  | { readonly op: "key"; readonly keyId: number; readonly key: Uint8Array }
  | { readonly op: "drop"; readonly keyId: number }
  | {
      readonly op: "seal";
      readonly job: number;
      readonly keyId: number;
      readonly nonce: Uint8Array;
      readonly plaintext: Uint8Array;
      readonly aad?: Uint8Array;
    };

/** A sealing worker's answer to one "seal" request. */
export type SealReply =
  | {
      readonly job: number;
      readonly sealed: readonly Uint8Array[];
      readonly digest: Uint8Array;
      readonly crc?: number;
      /** The plaintext's buffer, given back by transfer once the cipher has copied it (see SealedAndHashed.spare). */
      readonly spare?: Uint8Array;
    }
  | { readonly job: number; readonly error: string };

/** One worker, as a runtime adapter exposes it to the pool. */
export interface SealWorkerPort {
  post(message: SealRequest, transfer: ArrayBuffer[]): void;
  /** Told whether jobs are in flight, so an idle pool does not keep a Node process alive. */
  setBusy(busy: boolean): void;
  terminate(): void;
}

/** Starts one worker; `onReply` gets its answers, `onFailure` a crash or an unloadable script. */
export type SpawnSealWorker = (
  onReply: (reply: SealReply) => void,
  onFailure: (error: Error) => void,
) => SealWorkerPort;

export interface SealingPool {
  /** Worker count. */
  readonly size: number;
  /**
   * Wraps `base` so that its AES-GCM keys seal on the pool (`encrypt` and `sealAndHash`); SHA-256,
   * CRC-32 and decryption stay `base`'s. The name says so: "node+2 sealing workers".
   */
  wrap(base: Primitives): Primitives;
  /** Stops the workers; sealing afterwards fails with an Error saying the pool is closed. */
  close(): void;
}

/** Thrown (as a rejected promise) when a seal cannot complete: the pool is closed or a worker failed. */
export class SealingPoolError extends Error {
  override readonly name = "SealingPoolError";
}

/**
 * Creates a pool of `size` workers from a runtime's `spawn`. Each seal goes to the worker with
 * the fewest jobs in flight; replies may arrive in any order.
 *
 * @throws RangeError for a size that is not an integer from 1 to 64.
 */
export function createSealingPool(spawn: SpawnSealWorker, size: number): SealingPool {
  if (!Number.isInteger(size) || size < 1 || size > 64) {
    throw new RangeError(`a sealing pool needs 1 to 64 workers, got ${size}`);
  }
  interface Slot {
    readonly port: SealWorkerPort;
    readonly pending: Map<number, { resolve: (r: SealedAndHashed) => void; reject: (e: Error) => void }>;
  }
  let closed: string | undefined;
  let nextJob = 0;
  let nextKeyId = 0;
  const slots: Slot[] = [];

  const failAll = (why: string) => {
    closed ??= why;
    for (const slot of slots) {
      for (const p of slot.pending.values()) p.reject(new SealingPoolError(why));
      slot.pending.clear();
      slot.port.terminate();
    }
  };

  for (let i = 0; i < size; i++) {
    const pending: Slot["pending"] = new Map();
    const port = spawn(
      (reply) => {
        const waiting = pending.get(reply.job);
        if (waiting === undefined) return;
        pending.delete(reply.job);
        if (pending.size === 0) port.setBusy(false);
        if ("error" in reply) waiting.reject(new SealingPoolError(`sealing worker ${i}: ${reply.error}`));
        else {
          let size = 0;
          for (const part of reply.sealed) size += part.length;
          waiting.resolve({
            sealed: reply.sealed,
            size,
            digest: reply.digest,
            ...(reply.crc === undefined ? {} : { crc: reply.crc }),
            ...(reply.spare === undefined ? {} : { spare: reply.spare }),
          });
        }
      },
      (error) => failAll(`sealing worker ${i} failed: ${error.message}`),
    );
    slots.push({ port, pending });
  }

  // A key dropped by the garbage collector is dropped by the workers too (STYLE §11: key material
  // does not outlive its use).
  const forget = new FinalizationRegistry<number>((keyId) => {
    if (closed === undefined) for (const s of slots) s.port.post({ op: "drop", keyId }, []);
  });

  const seal = (
    keyId: number,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array | undefined,
    consume: boolean,
  ) =>
    new Promise<SealedAndHashed>((resolve, reject) => {
      if (closed !== undefined) {
        reject(new SealingPoolError(`the sealing pool is closed (${closed})`));
        return;
      }
      let slot = slots[0]!;
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const job = nextJob++;
      const { message, transfer } = sendable(plaintext, consume);
      if (slot.pending.size === 0) slot.port.setBusy(true);
      slot.pending.set(job, { resolve, reject });
      slot.port.post(
        {
          op: "seal",
          job,
          keyId,
          nonce: nonce.slice(),
          plaintext: message,
          ...(aad === undefined ? {} : { aad: aad.slice() }),
        },
        transfer,
      );
    });

  return {
    size,
    wrap(base) {
      return {
        ...base,
        name: `${base.name}+${size} sealing worker${size === 1 ? "" : "s"}`,
        async importAesGcmKey(key) {
          checkAesGcmArgs(key);
          const local = await base.importAesGcmKey(key); // decryption stays on the calling thread
          if (closed !== undefined) throw new SealingPoolError(`the sealing pool is closed (${closed})`);
          const keyId = nextKeyId++;
          for (const s of slots) s.port.post({ op: "key", keyId, key: key.slice() }, []);
          const pooled: AesGcmKey = {
            async encrypt(nonce, plaintext, aad) {
              checkAesGcmArgs(undefined, nonce);
              return joinPieces((await seal(keyId, nonce, plaintext, aad, false)).sealed);
            },
            decrypt: (nonce, sealed, aad) => local.decrypt(nonce, sealed, aad),
            async sealAndHash(nonce, plaintext, options) {
              checkAesGcmArgs(undefined, nonce);
              return seal(keyId, nonce, plaintext, undefined, options?.consume === true);
            },
          };
          forget.register(pooled, keyId);
          return pooled;
        },
      };
    },
    close() {
      failAll("closed by its owner");
    },
  };
}

/**
 * What to post for `plaintext`: shared memory as is, a consumed buffer by transfer, anything else
 * as a copy of just its bytes (structured clone of a view would copy its whole buffer).
 */
function sendable(plaintext: Uint8Array, consume: boolean): { message: Uint8Array; transfer: ArrayBuffer[] } {
  const buffer = plaintext.buffer;
  if (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer) {
    return { message: plaintext, transfer: [] };
  }
  if (consume && plaintext.byteOffset === 0 && plaintext.byteLength === buffer.byteLength) {
    return { message: plaintext, transfer: [buffer as ArrayBuffer] };
  }
  return { message: plaintext.slice(), transfer: [] };
}
