/**
 * `@cyxwiz/protocol/crypto`: the chunk AEAD stream, per-chunk keys and
 * chunk-key grants, dataset-key wrapping, Ed25519 identities and
 * signed manifests (seed §4.4, ARCHITECTURE §4; docs/crypto.md). Hand-picked exports (STYLE §4).
 */
export {
  type ChunkCipher,
  createChunkCipher,
  createStreamCipher,
  decryptStream,
  encryptStream,
  NEW_VERSION_ALGORITHM,
  STREAM_ALGORITHM,
} from "./chunk-cipher.js";
export {
  CHUNK_KEY_ALGORITHM,
  createChunkKeyCipher,
  deriveChunkKey,
  openChunkWithKey,
} from "./chunk-key-cipher.js";
export { CHUNK_GRANT_INFO, grantChunkKeys, type OpenedGrant, openGrant } from "./chunk-key-grant.js";
export {
  generateIdentity,
  type Identity,
  identityFromSeed,
  parseIdentity,
  serializeIdentity,
  signMessage,
  verifySignature,
} from "./identity.js";
export {
  generateX25519KeyPair,
  hkdfSha256,
  KEY_WRAP_INFO,
  x25519PublicKey,
  x25519SharedSecret,
} from "./key-agreement.js";
export { generateDatasetKey, unwrapDatasetKey, wrapDatasetKey } from "./key-wrap.js";
export {
  NODE_REGISTER_DOMAIN,
  nodeIdOf,
  REGISTRATION_NONCE_BYTES,
  registrationMessage,
} from "./node-registration.js";
export { openSignedManifest, signManifest } from "./signed-manifest.js";
export { updateMessage } from "./update-message.js";
