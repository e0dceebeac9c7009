import { chacha20 } from "@noble/ciphers/chacha.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

const BLOCKS_PER_REFILL = 256; // 16 KiB of keystream per ChaCha20 call
const BLOCK_BYTES = 64;

/**
 * A deterministic random source: the ChaCha20 keystream (RFC 8439, 12-byte zero nonce, block
 * counter from 0) under a 32-byte key, read as little-endian uint32s. The same construction as
 * Rust's `rand_chacha`; the cipher is @noble/ciphers', checked against RFC 8439 §A.1 in the tests.
 */
export class KeystreamRandom {
  private readonly key: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private readonly zeros = new Uint8Array(BLOCKS_PER_REFILL * BLOCK_BYTES);
  private words = new Uint32Array(0);
  private at = 0;
  private counter = 0;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`KeystreamRandom: key must be 32 bytes, got ${key.length}`);
    this.key = key.slice();
  }

  /** The next uint32 of the keystream. */
  nextUint32(): number {
    if (this.at === this.words.length) {
      const bytes = chacha20(this.key, this.nonce, this.zeros, undefined, this.counter);
      this.counter += BLOCKS_PER_REFILL;
      this.words = new Uint32Array(bytes.length / 4);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < this.words.length; i++) this.words[i] = view.getUint32(i * 4, true);
      this.at = 0;
    }
    return this.words[this.at++]!;
  }

  /** A uniform integer in `[0, bound)`, `1 ≤ bound ≤ 2^32`, without modulo bias (rejection sampling). */
  below(bound: number): number {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }
}

/**
 * A KeystreamRandom for one purpose and its inputs: keyed by SHA-256(domain ‖ 0x00 ‖ each value
 * as a u64, big-endian). Different domains give unrelated streams for the same values.
 * @throws RangeError for a value that is not a safe non-negative integer.
 */
export function seededRandom(domain: string, values: readonly number[]): KeystreamRandom {
  const tag = utf8ToBytes(domain);
  const message = new Uint8Array(tag.length + 1 + 8 * values.length);
  message.set(tag, 0);
  const view = new DataView(message.buffer);
  values.forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`seededRandom: ${v} is not a safe non-negative integer`);
    const at = tag.length + 1 + 8 * i;
    view.setUint32(at, Math.floor(v / 2 ** 32));
    view.setUint32(at + 4, v >>> 0);
  });
  return new KeystreamRandom(sha256(message));
}
