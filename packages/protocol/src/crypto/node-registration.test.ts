import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { NODE_REGISTER_DOMAIN, nodeIdOf, registrationMessage } from "./node-registration.js";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("registrationMessage", () => {
  it("is the domain tag, the nonce, the Ed25519 key and the X25519 key, in that order", () => {
    const message = registrationMessage({
      nonce: bytes(32, 1),
      signingPublicKey: bytes(32, 2),
      agreementPublicKey: bytes(32, 3),
    });
    const tag = new TextEncoder().encode(NODE_REGISTER_DOMAIN);
    expect(message.length).toBe(tag.length + 96);
    expect(message.subarray(0, tag.length)).toEqual(tag);
    expect(message.subarray(tag.length, tag.length + 32)).toEqual(bytes(32, 1));
    expect(message.subarray(tag.length + 32, tag.length + 64)).toEqual(bytes(32, 2));
    expect(message.subarray(tag.length + 64)).toEqual(bytes(32, 3));
  });

  it("refuses a nonce or key of the wrong length with a RangeError naming it", () => {
    const good = { nonce: bytes(32, 1), signingPublicKey: bytes(32, 2), agreementPublicKey: bytes(32, 3) };
    expect(() => registrationMessage({ ...good, nonce: bytes(16, 1) })).toThrow(/registration nonce must be 32 bytes/);
    expect(() => registrationMessage({ ...good, agreementPublicKey: bytes(31, 3) })).toThrow(RangeError);
  });
});

describe("nodeIdOf", () => {
  it("is node_ and the first 16 bytes of SHA-256 of the Ed25519 public key, in hex", () => {
    const key = bytes(32, 5);
    expect(nodeIdOf(key)).toBe(`node_${bytesToHex(sha256(key)).slice(0, 32)}`);
    expect(nodeIdOf(key)).toMatch(/^node_[0-9a-f]{32}$/);
    expect(nodeIdOf(bytes(32, 6))).not.toBe(nodeIdOf(key));
    expect(() => nodeIdOf(bytes(31, 5))).toThrow(RangeError);
  });
});
