/**
 * Ingest and verify throughput in Node, beside the native ceiling measured in the same run over
 * the same bytes (node:crypto AES-256-GCM + SHA-256 on one thread). Ingest runs twice: on one
 * thread, and with a sealing pool (worker threads sealing and hashing chunks on every core, as
 * `cyxwiz pack` and `cyxwiz upload` do). Writes bench/results/ingest-node.json.
 *
 * The bytes live in a SharedArrayBuffer, so the pool's workers read them where they are, as they
 * would take a file read's fresh buffer by transfer: neither run copies the input.
 */
import { createCipheriv, createHash, randomFillSync } from "node:crypto";
import { availableParallelism } from "node:os";
import { createNodeSealingPool } from "../src/node/node-sealing-pool.js";
import { createNodePrimitives } from "../src/primitives/node-primitives.js";
import { best, ceiling, ingest, verify } from "./ingest-pipeline.js";
import { writeResult } from "./write-result.js";

export interface NodeIngestRun {
  /** "1 thread" or "N sealing workers". */
  readonly where: string;
  readonly primitives: string;
  readonly ingestMBps: number;
  readonly ingestRatio: number;
}

export async function benchIngestNode(totalMiB = 256, chunkSize = 4 * 1024 * 1024, sealers = availableParallelism()) {
  const data = new Uint8Array(new SharedArrayBuffer(totalMiB * 1024 * 1024));
  randomFillSync(data);
  const key = randomFillSync(new Uint8Array(32));
  const p = await createNodePrimitives();
  const pool = createNodeSealingPool(sealers);
  const pooled = pool.wrap(p);
  try {
    const nonce = new Uint8Array(12);
    const native = await best(3, () =>
      ceiling(data, chunkSize, async (chunk, i) => {
        new DataView(nonce.buffer).setUint32(8, i);
        const c = createCipheriv("aes-256-gcm", key, nonce);
        const body = c.update(chunk);
        c.final();
        createHash("sha256").update(body).update(c.getAuthTag()).digest();
      }),
    );
    const one = await best(3, () => ingest(p, data, chunkSize, key, { framing: "parts" }));
    const many = await best(3, () =>
      ingest(pooled, data, chunkSize, key, { framing: "parts", readAhead: sealers + 1 }),
    );
    const kept = await ingest(p, data, chunkSize, key, { framing: "parts", keep: true });
    const ver = await best(3, () => verify(p, kept.frames, kept.cipher));
    const runs: NodeIngestRun[] = [
      {
        where: "1 thread",
        primitives: p.name,
        ingestMBps: one.result.mbPerSecond,
        ingestRatio: one.result.mbPerSecond / native.mbPerSecond,
      },
      {
        where: `${sealers} sealing workers`,
        primitives: pooled.name,
        ingestMBps: many.result.mbPerSecond,
        ingestRatio: many.result.mbPerSecond / native.mbPerSecond,
      },
    ];
    const result = {
      runtime: `node ${process.version}`,
      primitives: pooled.name,
      totalBytes: data.length,
      chunkSize,
      compression: "none",
      framing: "parts (vectored writes, as cyxwiz pack)",
      ceiling: "node:crypto AES-256-GCM + SHA-256, one thread",
      ceilingMBps: native.mbPerSecond,
      // The headline is the path `cyxwiz pack` takes (the sealing pool); both runs are in `runs`.
      ingestMBps: many.result.mbPerSecond,
      ingestRatio: many.result.mbPerSecond / native.mbPerSecond,
      verifyMBps: ver.mbPerSecond,
      verifyRatio: ver.mbPerSecond / native.mbPerSecond,
      runs,
    };
    await writeResult("ingest-node", result);
    return result;
  } finally {
    pool.close();
  }
}

export function printIngest(r: Awaited<ReturnType<typeof benchIngestNode>>) {
  const f = (x: number) => x.toFixed(0).padStart(6);
  console.log(`${r.runtime}, ${r.totalBytes / 2 ** 20} MiB in ${r.chunkSize / 2 ** 20} MiB chunks, no compression`);
  console.log(`  native ceiling (AES-256-GCM + SHA-256, 1 thread)   ${f(r.ceilingMBps)} MB/s`);
  for (const run of r.runs) {
    console.log(
      `  ingest, ${run.where.padEnd(18)} (chunk→encrypt→hash→frame) ${f(run.ingestMBps)} MB/s  ${run.ingestRatio.toFixed(2)}x ceiling`,
    );
  }
  console.log(
    `  verify (decode→hash→decrypt)                       ${f(r.verifyMBps)} MB/s  ${r.verifyRatio.toFixed(2)}x ceiling`,
  );
}
