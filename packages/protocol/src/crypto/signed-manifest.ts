import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { bytesToHex } from "@noble/hashes/utils.js";
import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import {
  type DatasetManifest,
  DatasetManifestSchema,
  type SignedManifest,
  SignedManifestSchema,
} from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { err, ok, type Result } from "../result.js";
import { type Identity, signMessage, verifySignature } from "./identity.js";
import { checkBytes } from "./key-agreement.js";

/**
 * Domain separation for manifest signatures (ARCHITECTURE §4: "manifests ... are signed"): the
 * signed message is this context string, its NUL terminator, then the exact encoded manifest, so
 * a manifest signature can never be replayed as the signature of another kind of message signed
 * by the same identity (a node registration, a model update), nor the reverse.
 */
const MANIFEST_CONTEXT = new TextEncoder().encode("cyxwiz-manifest-v1\0");

/**
 * Signs `manifest` with the owner's identity. The signature covers the exact bytes of
 * `toBinary(DatasetManifestSchema, manifest)`, which travel as they are, so a reader verifies the
 * bytes it received and never depends on re-encoding the same way.
 *
 * @throws TypeError or RangeError when the identity's secret key is malformed.
 */
export function signManifest(identity: Identity, manifest: DatasetManifest): SignedManifest {
  const bytes = toBinary(DatasetManifestSchema, manifest);
  return create(SignedManifestSchema, {
    manifest: bytes,
    signature: signMessage(identity, withContext(bytes)),
    signerPublicKey: identity.publicKey.slice(),
  });
}

/**
 * Verifies a signed manifest, then decodes it: nothing is parsed before the signature verifies.
 *
 * @param expectedSigner when given, the 32-byte Ed25519 public key that must have signed it
 *   (a manifest signed by anyone else is refused even if its signature is valid).
 * @returns the manifest; CYXW_ERR_SIGNATURE when the signer is not the expected one or the
 *   signature does not verify over the bytes; CYXW_ERR_MANIFEST when verified bytes do not decode.
 * @throws TypeError or RangeError for an `expectedSigner` that is not 32 bytes.
 */
export function openSignedManifest(
  signed: SignedManifest,
  expectedSigner?: Uint8Array,
): Result<DatasetManifest, ProtocolFailure> {
  if (expectedSigner !== undefined) {
    checkBytes("expected signer public key", expectedSigner, 32);
    if (bytesToHex(expectedSigner) !== bytesToHex(signed.signerPublicKey)) {
      return err(
        failure(
          "CYXW_ERR_SIGNATURE",
          `the manifest is signed by ${bytesToHex(signed.signerPublicKey) || "nobody"}, not by the expected ${bytesToHex(expectedSigner)}`,
        ),
      );
    }
  }
  if (!verifySignature(signed.signerPublicKey, withContext(signed.manifest), signed.signature)) {
    return err(failure("CYXW_ERR_SIGNATURE", "the manifest's signature does not verify under its signer's public key"));
  }
  try {
    return ok(fromBinary(DatasetManifestSchema, signed.manifest));
  } catch (e) {
    return err(
      failure("CYXW_ERR_MANIFEST", `the signed manifest bytes do not decode: ${e instanceof Error ? e.message : e}`),
    );
  }
}

function withContext(manifest: Uint8Array): Uint8Array {
  const out = new Uint8Array(MANIFEST_CONTEXT.length + manifest.length);
  out.set(MANIFEST_CONTEXT, 0);
  out.set(manifest, MANIFEST_CONTEXT.length);
  return out;
}
