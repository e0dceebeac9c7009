import { sha256 } from "@noble/hashes/sha2.js";

const UPDATE_TAG = new TextEncoder().encode("cyxwiz-update-v1");

/**
 * The bytes a worker signs with its Ed25519 identity for a model update, and the gateway verifies
 * (docs/compute.md; a registration's are in node-registration.ts): "cyxwiz-update-v1" ‖
 * u32be(job id length) ‖ job id (UTF-8) ‖ u32be(round) ‖ SHA-256(delta). The length prefix keeps "job1" + round 2 apart from any other
 * split of the same bytes.
 *
 * @throws RangeError for a round that is not a u32.
 */
export function updateMessage(jobId: string, round: number, delta: Uint8Array): Uint8Array {
  if (!Number.isInteger(round) || round < 0 || round > 0xffff_ffff)
    throw new RangeError(`a round is a 32-bit unsigned integer, got ${round}`);
  const id = new TextEncoder().encode(jobId);
  const numbers = new Uint8Array(8);
  const view = new DataView(numbers.buffer);
  view.setUint32(0, id.length);
  view.setUint32(4, round);
  return concat([UPDATE_TAG, numbers.subarray(0, 4), id, numbers.subarray(4), sha256(delta)]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
