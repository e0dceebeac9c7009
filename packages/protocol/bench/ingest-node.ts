/**
 * Ingest and verify throughput in Node, beside the native ceiling measured in the same run over
 * the same bytes (node:crypto AES-256-GCM + SHA-256). Writes bench/results/ingest-node.json.
 */
import { createCipheriv, createHash, randomFillSync } from "node:crypto";
import { createNodePrimitives } from "../src/primitives/node-primitives.js";
import { best, ceiling, ingest, verify } from "./ingest-pipeline.js";
import { writeResult } from "./write-result.js";

export async function benchIngestNode(totalMiB = 256, chunkSize = 4 * 1024 * 1024) {
  const data = randomFillSync(new Uint8Array(totalMiB * 1024 * 1024));
  const key = randomFillSync(new Uint8Array(32));
  const p = await createNodePrimitives();
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
  const ing = await best(3, () => ingest(p, data, chunkSize, key, "parts"));
  const ver = await best(3, () => verify(p, ing.frames, ing.cipher));
  const result = {
    runtime: `node ${process.version}`,
    primitives: p.name,
    totalBytes: data.length,
    chunkSize,
    compression: "none",
    framing: "parts (vectored writes, as cyxwiz pack)",
    ceilingMBps: native.mbPerSecond,
    ingestMBps: ing.result.mbPerSecond,
    verifyMBps: ver.mbPerSecond,
    ingestRatio: ing.result.mbPerSecond / native.mbPerSecond,
    verifyRatio: ver.mbPerSecond / native.mbPerSecond,
  };
  await writeResult("ingest-node", result);
  return result;
}

export function printIngest(r: Awaited<ReturnType<typeof benchIngestNode>>) {
  const f = (x: number) => x.toFixed(0).padStart(6);
  console.log(
    `${r.runtime} (${r.primitives}), ${r.totalBytes / 2 ** 20} MiB in ${r.chunkSize / 2 ** 20} MiB chunks, no compression`,
  );
  console.log(`  native ceiling (AES-256-GCM + SHA-256) ${f(r.ceilingMBps)} MB/s`);
  console.log(`  ingest (chunk→encrypt→hash→frame)      ${f(r.ingestMBps)} MB/s  ${r.ingestRatio.toFixed(2)}x ceiling`);
  console.log(`  verify (decode→hash→decrypt)           ${f(r.verifyMBps)} MB/s  ${r.verifyRatio.toFixed(2)}x ceiling`);
}
