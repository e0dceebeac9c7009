import { createCipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeystreamRandom } from "./keystream-random.js";

describe("KeystreamRandom against node:crypto", () => {
  it("equals OpenSSL's ChaCha20 keystream (16-byte IV = counter LE ‖ 12-byte nonce) over several refills", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);
    const bytes = 40_000 * 4;
    const stream = createCipheriv("chacha20", key, new Uint8Array(16)).update(new Uint8Array(bytes));
    const random = new KeystreamRandom(key);
    for (let i = 0; i < bytes / 4; i++) {
      if (random.nextUint32() !== stream.readUInt32LE(i * 4)) expect.fail(`word ${i} differs`);
    }
  });
});
