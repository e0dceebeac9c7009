import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type CompressionCodec,
  type DataClassification,
  type DatasetVersion,
  DatasetVersionSchema,
  DatasetStatus as ProtoDatasetStatus,
  TransferState as ProtoTransferState,
} from "@cyxwiz/protocol/gen";
import {
  classificationFromStored,
  codecFromName,
  ESCROW_ALLOWED,
  policyToProto,
  classificationFromProto as vocabClassificationFromProto,
} from "@cyxwiz/protocol/vocab";
import type { Classification, Codec, DatasetVersionSummary, TransferState } from "../store/index.js";

/** The store's classification for a proto value, or undefined for an unknown number. */
export function classificationFromProto(c: DataClassification): Classification | undefined {
  return vocabClassificationFromProto(c)?.stored;
}

export function classificationToProto(c: Classification): DataClassification {
  return classificationFromStored(c).proto;
}

/** Whether data of this classification may have its key escrowed to the gateway (seed §4.3). */
export function escrowAllowed(c: Classification): boolean {
  return ESCROW_ALLOWED.includes(c);
}

export function codecToProto(c: Codec): CompressionCodec {
  return codecFromName(c);
}

export function transferStateToProto(s: TransferState): ProtoTransferState {
  switch (s) {
    case "pending":
      return ProtoTransferState.PENDING;
    case "in_progress":
      return ProtoTransferState.IN_PROGRESS;
    case "verifying":
      return ProtoTransferState.VERIFYING;
    case "completed":
      return ProtoTransferState.COMPLETED;
    case "failed":
      return ProtoTransferState.FAILED;
    case "cancelled":
      return ProtoTransferState.CANCELLED;
  }
}

/** The proto form of a stored dataset version. */
export function datasetVersionToProto(v: DatasetVersionSummary): DatasetVersion {
  return create(DatasetVersionSchema, {
    ref: `${v.name}@v${v.version}`,
    name: v.name,
    version: v.version,
    owner: v.owner,
    classification: classificationToProto(v.classification),
    status: v.status === "ready" ? ProtoDatasetStatus.READY : ProtoDatasetStatus.CORRUPT,
    totalSize: BigInt(v.totalSize),
    storedSize: BigInt(v.storedSize),
    numChunks: v.numChunks,
    chunkSize: v.chunkSize,
    merkleRoot: v.merkleRoot,
    codec: codecToProto(v.codec),
    encrypted: v.encrypted,
    keyEscrowed: v.keyEscrowed,
    transferId: v.transferId,
    createdAt: timestampFromDate(v.createdAt),
    policy: policyToProto(v.policy, v.expiresAt),
  });
}

/** A dataset reference: "name", "name@v3", "owner/name" or "owner/name@v3". */
export interface DatasetRef {
  readonly owner: string | undefined;
  readonly name: string;
  readonly version: number | undefined;
}

/** Parses a dataset reference, or undefined when it is not one. */
export function parseDatasetRef(ref: string): DatasetRef | undefined {
  const m = /^(?:([^/@\s]+)\/)?([^/@]+?)(?:@v([1-9][0-9]{0,8}))?$/.exec(ref.trim());
  if (m === null) return undefined;
  return { owner: m[1], name: m[2]!, version: m[3] === undefined ? undefined : Number(m[3]) };
}
