import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { equalDigests } from "../frame/frame-codec.js";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "../frame/frame-format.js";
import { CompressionCodec, type DatasetManifest, type SampleLayout } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { MerkleTree } from "../merkle/index.js";
import { err, ok, type Result } from "../result.js";
import { type ChunkLayout, describeSizeMismatch, MAX_CHUNKS, storedSizeBoundsOf } from "./chunk-layout.js";

/** What a checked manifest guarantees, with the Merkle tree rebuilt from its digests. */
export interface CheckedManifest {
  readonly manifest: DatasetManifest;
  readonly tree: MerkleTree;
  readonly numChunks: number;
  readonly encrypted: boolean;
}

/**
 * Checks that a manifest is internally consistent before anything trusts it: one entry per chunk
 * in every per-chunk list, sizes that add up to the declared total, stored sizes that each chunk's
 * plain size, compression and encryption allow (chunk-layout.ts) and within the frame bound,
 * 32-byte digests, a named codec, and a Merkle root that really is the root of the digests. A
 * manifest that lies about sizes or digests fails here with CYXW_ERR_MANIFEST.
 */
export function checkManifest(
  manifest: DatasetManifest,
  options: { maxPayloadBytes?: number } = {},
): Result<CheckedManifest, ProtocolFailure> {
  const bad = (message: string) => err(failure("CYXW_ERR_MANIFEST", message));
  const max = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (manifest.formatVersion !== 1 && manifest.formatVersion !== 2)
    return bad(`manifest format_version is ${manifest.formatVersion}; expected 1 (a file) or 2 (samples)`);
  if ((manifest.formatVersion === 2) !== (manifest.samples !== undefined))
    return bad(
      manifest.formatVersion === 2
        ? "manifest format_version 2 (samples) has no sample layout"
        : "manifest format_version 1 (a file) must not carry a sample layout",
    );
  const meta = manifest.metadata;
  if (meta === undefined) return bad("manifest has no metadata");
  const n = meta.numChunks;
  if (n < 1 || n > MAX_CHUNKS) return bad(`manifest declares ${n} chunks; a dataset has 1 to ${MAX_CHUNKS}`);
  const lists: Array<[string, number]> = [
    ["plain_sizes", manifest.plainSizes.length],
    ["stored_sizes", manifest.storedSizes.length],
    ["chunk_digests", manifest.chunkDigests.length],
    ["compressed", manifest.compressed.length],
  ];
  for (const [name, length] of lists) {
    if (length !== n) return bad(`manifest declares ${n} chunks but lists ${length} ${name}`);
  }
  if (meta.chunkSize < 1) return bad("manifest chunk_size must be at least 1 byte");
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const plain = manifest.plainSizes[i]!;
    if (plain > meta.chunkSize)
      return bad(`chunk ${i} declares ${plain} plaintext bytes, more than chunk_size ${meta.chunkSize}`);
    if (i < n - 1 && plain === 0) return bad(`chunk ${i} is empty but is not the last chunk`);
    total += BigInt(plain);
    const stored = manifest.storedSizes[i]!;
    if (stored > max) return bad(`chunk ${i} declares ${stored} stored bytes; the frame limit is ${max}`);
    const form = { encrypted: manifest.cipher !== undefined, compressed: manifest.compressed[i]! };
    const mismatch = describeSizeMismatch(i, stored, storedSizeBoundsOf(plain, form));
    if (mismatch !== undefined) return bad(`${mismatch} (${plain} plaintext bytes)`);
    if (manifest.chunkDigests[i]!.length !== 32)
      return bad(`chunk ${i} digest is ${manifest.chunkDigests[i]!.length} bytes, not 32`);
  }
  if (total !== meta.totalSize)
    return bad(`chunk sizes add up to ${total} bytes but total_size says ${meta.totalSize}`);
  if (manifest.samples !== undefined) {
    const problem = sampleLayoutProblem(manifest.samples, n);
    if (problem !== undefined) return bad(problem);
  }
  if (manifest.codec === CompressionCodec.UNSPECIFIED || CompressionCodec[manifest.codec] === undefined) {
    return bad(`manifest codec ${manifest.codec} is not a known compression codec`);
  }
  if (manifest.codec === CompressionCodec.NONE && manifest.compressed.some(Boolean)) {
    return bad("manifest codec is none but some chunks are marked compressed");
  }
  const tree = MerkleTree.fromDigests(manifest.chunkDigests);
  if (meta.merkleRoot.length !== 32 || !equalDigests(tree.root, meta.merkleRoot)) {
    return bad("manifest merkle_root is not the Merkle root of its chunk digests");
  }
  return ok({ manifest, tree, numChunks: n, encrypted: manifest.cipher !== undefined });
}

/** Why a sample layout cannot describe `numChunks` chunks, or `undefined` when it can. */
function sampleLayoutProblem(samples: SampleLayout, numChunks: number): string | undefined {
  const counts = samples.chunkSampleCounts;
  if (counts.length !== numChunks)
    return `manifest declares ${numChunks} chunks but its sample layout counts samples for ${counts.length}`;
  let sum = 0n;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! < 1) return `chunk ${i} holds no samples; every chunk of a sample layout holds at least one`;
    sum += BigInt(counts[i]!);
  }
  if (sum !== samples.numSamples)
    return `the chunks hold ${sum} samples but the sample layout says num_samples ${samples.numSamples}`;
  if (samples.columns.length === 0) return "the sample layout lists no columns";
  if (samples.labelColumn !== "" && !samples.columns.some((c) => c.name === samples.labelColumn))
    return `the label column "${samples.labelColumn}" is not one of the sample layout's columns`;
  const split = samples.split;
  if (split !== undefined && split.trainPermille + split.validationPermille + split.testPermille !== 1000)
    return "the split's parts do not add up to 1000 permille";
  return undefined;
}

/** What the receiver saw of a transfer sent in streaming mode. */
export interface ReceivedTransfer {
  /** The chunk layout the transfer was initiated with: the manifest's plain sizes must be its. */
  readonly layout?: ChunkLayout;
  readonly numChunks: number;
  readonly encrypted: boolean;
  /** The digest stored for each chunk index (all of them, once the transfer is complete). */
  readonly digests: ReadonlyMap<number, Uint8Array>;
  /** The root declared at InitiateTransfer, if the client declared one (empty or absent: none). */
  readonly declaredRoot?: Uint8Array;
}

/**
 * Checks the manifest a client commits at the end of a streaming upload against what was
 * received (docs/upload-protocol.md §4): a consistent manifest, the same chunk count and
 * encryption, every chunk received with exactly the manifest's digest, and the declared root if
 * there was one. This is where a streaming upload's Merkle root is verified.
 *
 * @returns CYXW_ERR_INCOMPLETE if chunks are missing, CYXW_ERR_MANIFEST for any disagreement.
 */
export function checkCommit(
  manifest: DatasetManifest,
  received: ReceivedTransfer,
  options: { maxPayloadBytes?: number } = {},
): Result<CheckedManifest, ProtocolFailure> {
  const checked = checkManifest(manifest, options);
  if (!checked.ok) return checked;
  const bad = (message: string) => err(failure("CYXW_ERR_MANIFEST", message));
  const { numChunks, encrypted } = checked.value;
  if (numChunks !== received.numChunks)
    return bad(`the manifest declares ${numChunks} chunks; the transfer was initiated with ${received.numChunks}`);
  if (encrypted !== received.encrypted)
    return bad(
      `the manifest says ${encrypted ? "" : "un"}encrypted; the transfer was initiated ${received.encrypted ? "" : "un"}encrypted`,
    );
  const layout = received.layout;
  if (layout !== undefined) {
    for (let i = 0; i < numChunks; i++) {
      if (manifest.plainSizes[i] !== layout.plainSizeOf(i))
        return bad(
          `the manifest says chunk ${i} holds ${manifest.plainSizes[i]} plaintext bytes; the transfer was initiated with ${layout.plainSizeOf(i)}`,
        );
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < numChunks; i++) {
    const d = received.digests.get(i);
    if (d === undefined) missing.push(i);
    else if (!equalDigests(d, manifest.chunkDigests[i]!))
      return bad(`chunk ${i} was received with a different digest than the manifest lists`);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).join(", ");
    return err(
      failure(
        "CYXW_ERR_INCOMPLETE",
        `${missing.length} of ${numChunks} chunks have not been received (${shown}${missing.length > 10 ? ", ..." : ""})`,
      ),
    );
  }
  const declared = received.declaredRoot;
  if (declared !== undefined && declared.length > 0 && !equalDigests(declared, manifest.metadata!.merkleRoot)) {
    return bad("the manifest's Merkle root is not the root declared when the transfer was initiated");
  }
  return checked;
}
