import { create, equals, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../test-support/primitives-contract.js";
import { DataClassification, DatasetMetadataSchema } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import {
  CompressionCodec,
  DatasetManifestSchema,
  type SignedManifest,
  SignedManifestSchema,
} from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { generateIdentity, signMessage, verifySignature } from "./identity.js";
import { openSignedManifest, signManifest } from "./signed-manifest.js";

const manifest = create(DatasetManifestSchema, {
  formatVersion: 1,
  metadata: create(DatasetMetadataSchema, {
    name: "mnist-train",
    type: "tensor",
    totalSize: 47_040_000n,
    numChunks: 2,
    chunkSize: 4 << 20,
    merkleRoot: new Uint8Array(32).fill(0xab),
    classification: DataClassification.CONFIDENTIAL,
  }),
  codec: CompressionCodec.ZSTD,
  plainSizes: [4 << 20, 1234],
  storedSizes: [1000, 500],
  chunkDigests: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)],
  compressed: [true, false],
});

function codeOf(r: { ok: true } | { ok: false; error: { code: string } }): string {
  return r.ok ? "opened" : r.error.code;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = (out[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return out;
}

describe("signed manifests", () => {
  it("round-trips: the opened manifest equals the signed one, checked against the expected signer", () => {
    const owner = generateIdentity();
    const signed = signManifest(owner, manifest);
    expect(signed.manifest).toEqual(toBinary(DatasetManifestSchema, manifest));
    expect(signed.signerPublicKey).toEqual(owner.publicKey);
    for (const expected of [undefined, owner.publicKey]) {
      const r = openSignedManifest(signed, expected);
      expect(r.ok && equals(DatasetManifestSchema, r.value, manifest)).toBe(true);
    }
  });

  it('signs the manifest bytes prefixed by the context "cyxwiz-manifest-v1\\0", never the bare bytes', () => {
    const owner = generateIdentity();
    const signed = signManifest(owner, manifest);
    const context = new TextEncoder().encode("cyxwiz-manifest-v1\0");
    expect(context.length).toBe(19);
    expect(verifySignature(owner.publicKey, concatBytes(context, signed.manifest), signed.signature)).toBe(true);
    expect(verifySignature(owner.publicKey, signed.manifest, signed.signature)).toBe(false);
    // A signature the same identity made over the bare bytes (another protocol message) does not pass.
    const bare = create(SignedManifestSchema, { ...signed, signature: signMessage(owner, signed.manifest) });
    expect(codeOf(openSignedManifest(bare))).toBe("CYXW_ERR_SIGNATURE");
  });

  it("refuses (CYXW_ERR_SIGNATURE) any flipped bit of the manifest bytes or of the signature", () => {
    const owner = generateIdentity();
    const signed = signManifest(owner, manifest);
    for (let bit = 0; bit < signed.manifest.length * 8; bit += 7) {
      const tampered: SignedManifest = create(SignedManifestSchema, {
        ...signed,
        manifest: flipBit(signed.manifest, bit),
      });
      expect(codeOf(openSignedManifest(tampered)), `manifest bit ${bit}`).toBe("CYXW_ERR_SIGNATURE");
    }
    for (let bit = 0; bit < 512; bit++) {
      const tampered = create(SignedManifestSchema, { ...signed, signature: flipBit(signed.signature, bit) });
      expect(codeOf(openSignedManifest(tampered)), `signature bit ${bit}`).toBe("CYXW_ERR_SIGNATURE");
    }
    const truncated = create(SignedManifestSchema, { ...signed, signature: signed.signature.subarray(0, 63) });
    expect(codeOf(openSignedManifest(truncated))).toBe("CYXW_ERR_SIGNATURE");
  });

  it("refuses (CYXW_ERR_SIGNATURE) a manifest signed by someone other than the expected signer", () => {
    const [owner, mallory] = [generateIdentity(), generateIdentity()];
    const forged = signManifest(mallory, manifest); // a valid signature, by the wrong identity
    expect(codeOf(openSignedManifest(forged))).toBe("opened");
    expect(codeOf(openSignedManifest(forged, owner.publicKey))).toBe("CYXW_ERR_SIGNATURE");
    // Claiming the owner's key over Mallory's signature fails verification instead.
    const claimed = create(SignedManifestSchema, { ...forged, signerPublicKey: owner.publicKey });
    expect(codeOf(openSignedManifest(claimed, owner.publicKey))).toBe("CYXW_ERR_SIGNATURE");
    const anonymous = create(SignedManifestSchema, { ...forged, signerPublicKey: new Uint8Array(0) });
    expect(codeOf(openSignedManifest(anonymous))).toBe("CYXW_ERR_SIGNATURE");
    expect(() => openSignedManifest(forged, new Uint8Array(31))).toThrow(RangeError);
  });

  it("reports validly signed bytes that are not a manifest as CYXW_ERR_MANIFEST", () => {
    const owner = generateIdentity();
    const garbage = Uint8Array.of(0x3a, 0x10, 0x01); // chunk_digests: 16 bytes declared, 1 present
    const context = new TextEncoder().encode("cyxwiz-manifest-v1\0");
    const signed = create(SignedManifestSchema, {
      manifest: garbage,
      signature: signMessage(owner, concatBytes(context, garbage)),
      signerPublicKey: owner.publicKey,
    });
    expect(codeOf(openSignedManifest(signed))).toBe("CYXW_ERR_MANIFEST");
  });
});
