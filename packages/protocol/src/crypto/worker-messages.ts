import { sha256 } from "@noble/hashes/sha2.js";
import { checkBytes } from "./key-agreement.js";

/**
 * The exact bytes a worker signs with its Ed25519 identity (docs/compute.md), in one place for the
 * worker (daemon or browser tab) that signs and the gateway that verifies. Each starts with its
 * own domain tag, so a signature over one can never pass for the other.
 */

const REGISTER_TAG = new TextEncoder().encode("cyxwiz-node-register-v1");
const UPDATE_TAG = new TextEncoder().encode("cyxwiz-update-v1");

/** The smallest challenge nonce the gateway hands out and a registration may sign. */
export const MIN_CHALLENGE_BYTES = 16;

/**
 * What a registration signs: "cyxwiz-node-register-v1" ‖ nonce ‖ Ed25519 public key (32) ‖
 * X25519 public key (32). The gateway's nonce is fresh and single-use, so a recorded registration
 * cannot be replayed; both keys are bound, so neither can be swapped.
 *
 * @throws RangeError for a nonce under MIN_CHALLENGE_BYTES or keys that are not 32 bytes.
 */
export function registrationMessage(
  nonce: Uint8Array,
  signingPublicKey: Uint8Array,
  agreementPublicKey: Uint8Array,
): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length < MIN_CHALLENGE_BYTES)
    throw new RangeError(`a challenge nonce has at least ${MIN_CHALLENGE_BYTES} bytes`);
  checkBytes("Ed25519 public key", signingPublicKey, 32);
  checkBytes("X25519 public key", agreementPublicKey, 32);
  return concat([REGISTER_TAG, nonce, signingPublicKey, agreementPublicKey]);
}

/**
 * What a model update signs: "cyxwiz-update-v1" ‖ u32be(job id length) ‖ job id (UTF-8) ‖
 * u32be(round) ‖ SHA-256(delta). The length prefix keeps "job1" + round 2 apart from any other
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
