import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DataClassification, DatasetMetadataSchema } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import {
  type CipherParameters,
  type CompressionCodec,
  type DatasetManifest,
  DatasetManifestSchema,
  type SampleLayout,
} from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { createMerkleBuilder } from "../merkle/index.js";

/** What packing one chunk produced, as the manifest lists it. */
export interface ChunkResult {
  readonly plainSize: number;
  readonly storedSize: number;
  /** SHA-256 of the stored bytes (32 bytes). */
  readonly digest: Uint8Array;
  readonly compressed: boolean;
}

/** The dataset-wide fields of a manifest; sizes, counts, digests and the root come from the chunks. */
export interface ManifestFields {
  /** The seed's DatasetMetadata (§5.2): what the owner says about the dataset. */
  readonly metadata: {
    readonly name: string;
    readonly type?: string;
    readonly classification?: DataClassification;
    readonly numSamples?: bigint;
    readonly shape?: readonly bigint[];
    readonly dtype?: string;
  };
  /** Plaintext bytes of the whole dataset. */
  readonly totalSize: number;
  /** The chunk size declared for the dataset (metadata.chunk_size). */
  readonly chunkSize: number;
  readonly codec: CompressionCodec;
  /** Present when every chunk is sealed (ARCHITECTURE §4). */
  readonly cipher?: CipherParameters;
  readonly createdAt: Date;
  /** What the samples are, for a dataset of samples: the manifest is then format_version 2. */
  readonly samples?: SampleLayout;
}

/**
 * Collects one {@link ChunkResult} per chunk index, in any order, and turns them into the
 * dataset's manifest: the one place a `DatasetManifest` is assembled (createChunker and the
 * client's upload session both use it; manifest-check.ts checks what it makes).
 */
export interface ManifestBuilder {
  readonly numChunks: number;
  /** Chunks added so far. */
  readonly size: number;
  /**
   * Records chunk `index`'s result. Adding an index again replaces nothing: the first result stays
   * (a chunk packs to the same bytes every time).
   *
   * @throws RangeError for an index outside 0..numChunks-1 or a digest that is not 32 bytes.
   */
  add(index: number, result: ChunkResult): void;
  has(index: number): boolean;
  /** The indices not added yet, ascending. */
  missing(): number[];
  /**
   * The manifest over every chunk's result, the Merkle root of the digests in index order.
   *
   * @throws Error naming the first missing chunk when not every chunk was added.
   */
  build(fields: ManifestFields): DatasetManifest;
}

/**
 * Creates a {@link ManifestBuilder} for `numChunks` chunks. The Merkle root is built while
 * chunks arrive: each run of chunks that continues the indices already hashed is appended to a
 * streaming Merkle builder, so in-order producers never hold more than the per-chunk lists.
 *
 * @throws RangeError for a chunk count that is not a positive integer.
 * @example
 * const builder = createManifestBuilder(packer.numChunks);
 * for (let i = 0; i < packer.numChunks; i++) builder.add(i, await packer.pack(i));
 * const manifest = builder.build({ metadata: { name }, totalSize, chunkSize, codec, createdAt: new Date() });
 */
export function createManifestBuilder(numChunks: number): ManifestBuilder {
  if (!Number.isSafeInteger(numChunks) || numChunks < 1) {
    throw new RangeError(`a manifest has a positive whole number of chunks, got ${numChunks}`);
  }
  const results: (ChunkResult | undefined)[] = new Array(numChunks);
  const merkle = createMerkleBuilder();
  let added = 0;
  const missing = (): number[] => {
    const out: number[] = [];
    for (let i = 0; i < numChunks; i++) if (results[i] === undefined) out.push(i);
    return out;
  };
  return {
    numChunks,
    get size() {
      return added;
    },
    add(index, result) {
      if (!Number.isInteger(index) || index < 0 || index >= numChunks) {
        throw new RangeError(`chunk index must be an integer in 0..${numChunks - 1}, got ${index}`);
      }
      if (result.digest.length !== 32) {
        throw new RangeError(`chunk ${index} digest is ${result.digest.length} bytes, not 32`);
      }
      if (results[index] !== undefined) return;
      const { plainSize, storedSize, digest, compressed } = result;
      results[index] = { plainSize, storedSize, digest, compressed };
      added++;
      // Extend the root over the chunks that now follow the hashed ones without a gap.
      for (let next = merkle.leafCount; next < numChunks && results[next] !== undefined; next++) {
        merkle.append(results[next]!.digest);
      }
    },
    has: (index) => results[index] !== undefined,
    missing,
    build(fields) {
      if (added < numChunks) {
        throw new Error(`the manifest needs every chunk; chunk ${missing()[0]} has no result yet`);
      }
      const chunks = results as ChunkResult[];
      const meta = fields.metadata;
      return create(DatasetManifestSchema, {
        formatVersion: fields.samples === undefined ? 1 : 2,
        ...(fields.samples === undefined ? {} : { samples: fields.samples }),
        metadata: create(DatasetMetadataSchema, {
          name: meta.name,
          type: meta.type ?? "",
          totalSize: BigInt(fields.totalSize),
          numSamples: meta.numSamples ?? 0n,
          shape: meta.shape === undefined ? [] : [...meta.shape],
          dtype: meta.dtype ?? "",
          merkleRoot: merkle.root(),
          numChunks,
          chunkSize: fields.chunkSize,
          classification: meta.classification ?? DataClassification.PUBLIC,
        }),
        codec: fields.codec,
        ...(fields.cipher === undefined ? {} : { cipher: fields.cipher }),
        plainSizes: chunks.map((c) => c.plainSize),
        storedSizes: chunks.map((c) => c.storedSize),
        chunkDigests: chunks.map((c) => c.digest),
        compressed: chunks.map((c) => c.compressed),
        createdAt: timestampFromDate(fields.createdAt),
      });
    },
  };
}
