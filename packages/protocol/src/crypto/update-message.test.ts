import { describe, expect, it } from "vitest";
import { generateIdentity, signMessage, verifySignature } from "./identity.js";
import { updateMessage } from "./update-message.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("the bytes a worker signs for a model update", () => {
  const identity = generateIdentity();

  it("an update binds job, round and the delta's digest, with the job id length-prefixed", () => {
    const delta = new Uint8Array([1, 2, 3]);
    const message = updateMessage("job_a", 3, delta);
    // tag ‖ u32be(5) ‖ "job_a" ‖ u32be(3) ‖ SHA-256(01 02 03)
    expect(hex(message)).toBe(
      `${hex(new TextEncoder().encode("cyxwiz-update-v1"))}00000005${hex(new TextEncoder().encode("job_a"))}00000003` +
        "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81",
    );
    const signature = signMessage(identity, message);
    expect(verifySignature(identity.publicKey, updateMessage("job_a", 4, delta), signature)).toBe(false);
    expect(verifySignature(identity.publicKey, updateMessage("job_a", 3, new Uint8Array([1, 2, 4])), signature)).toBe(
      false,
    );
    expect(() => updateMessage("j", -1, delta)).toThrow(RangeError);
  });
});
