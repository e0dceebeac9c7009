import { createNodeSealingPool } from "@cyxwiz/protocol/node";
import { loadPrimitives, type Primitives } from "@cyxwiz/protocol/primitives";

export interface SealingPrimitives {
  readonly primitives: Primitives;
  /** Worker threads sealing chunks: read ahead this many chunks (plus one) to keep them busy. */
  readonly sealers: number;
}

let shared: Promise<SealingPrimitives> | undefined;

/**
 * The command line's primitives: node:crypto, with chunk sealing (AES-256-GCM + SHA-256 + CRC-32)
 * on a pool of worker threads, one per core, so `pack` and `upload` seal on every core while the
 * main thread reads and writes. Idle workers do not keep the process alive.
 */
export function loadSealingPrimitives(): Promise<SealingPrimitives> {
  shared ??= (async () => {
    const pool = createNodeSealingPool();
    return { primitives: pool.wrap(await loadPrimitives()), sealers: pool.size };
  })();
  return shared;
}
