import { create } from "@bufbuild/protobuf";
import { grantChunkKeys } from "@cyxwiz/protocol/crypto";
import { type CipherParameters, type KeyRequest, type NodeKeyGrant, NodeKeyGrantSchema } from "@cyxwiz/protocol/gen";
import type { Primitives } from "@cyxwiz/protocol/primitives";

/**
 * The owner's grants for a job's key requests (docs/compute.md "Dashboard", docs/crypto.md
 * "Per-chunk keys and grants"): for each waiting worker, the keys of exactly the chunks it asked
 * for, sealed to its X25519 agreement key. The dataset key never leaves this browser.
 *
 * @param cipher the version's cipher parameters (its manifest's `cipher`).
 * @throws ProtocolError CYXW_ERR_WRONG_KEY when `datasetKey` is not this version's key,
 *   CYXW_ERR_MANIFEST for cipher parameters of another suite, CYXW_ERR_BAD_KEY for a worker key
 *   that is not a usable X25519 key; RangeError for a request without chunks.
 */
export async function grantsFor(
  primitives: Primitives,
  datasetKey: Uint8Array,
  cipher: CipherParameters,
  requests: readonly KeyRequest[],
): Promise<NodeKeyGrant[]> {
  const grants: NodeKeyGrant[] = [];
  for (const r of requests) {
    const grant = await grantChunkKeys(primitives, datasetKey, cipher, r.chunkIndices, r.agreementPublicKey);
    grants.push(create(NodeKeyGrantSchema, { nodeId: r.nodeId, grant }));
  }
  return grants;
}
