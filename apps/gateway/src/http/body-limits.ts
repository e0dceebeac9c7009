import type { DescMethod } from "@bufbuild/protobuf";
import { DatasetService, DataTransferService, JobService, NodeService } from "@cyxwiz/protocol/gen";
import type { GatewayConfig } from "../config.js";
import { MAX_PARAMETERS } from "../jobs/job-spec.js";
import { methodKey } from "../rpc/method-key.js";

/**
 * How many bytes one request message may take, per RPC (docs/operations.md, "Limits and
 * quotas"). The cap holds for the body as sent and again once decompressed: a gzip bomb is
 * refused when its inflated bytes pass the cap, not after. A unary RPC's body is one message;
 * StreamData's cap is per message of the stream.
 */

/**
 * Control RPCs (sign-in, status, listings, one dataset; a worker's registration, heartbeat,
 * leave and erasure report): their requests are a few short fields.
 */
export const CONTROL_BODY_BYTES = 64 * 1024;

/**
 * What one chunk adds to a CommitUpload request at most, in the larger of its two encodings
 * (JSON): the manifest lists per chunk a 32-byte digest (44 characters of base64, quoted), a plain
 * and a stored size (up to 10 digits each), a compressed flag and, for a dataset of samples, a
 * sample count (up to 10 digits); a signed manifest carries the same manifest again as base64 of
 * its binary form (about 52 bytes a chunk, so 70 characters). 192 leaves room;
 * http/body-limits.test.ts builds the largest request and checks it fits.
 */
export const COMMIT_BYTES_PER_CHUNK = 192;

/**
 * What a manifest holds besides its per-chunk lists: the metadata and, for a dataset of samples,
 * its schema (up to 10,000 columns, docs/dataset-formats.md) and label histogram (up to 10,000
 * labels of up to 100 characters, sample-layout-proto.ts), twice when the manifest is also signed. Eight MiB.
 */
export const MANIFEST_FIXED_BYTES = 8 * 1024 * 1024;

/** What one chunk adds to an InitiateTransfer of samples: its plain size, up to 10 digits and a comma in JSON. */
export const INITIATE_BYTES_PER_CHUNK = 12;

/**
 * What one granted chunk adds to a GrantKeys request at most (JSON): its index in the clear list
 * (up to 10 digits) and, sealed, its index and 32-byte key (about 40 bytes, 4/3 as base64).
 */
export const GRANT_BYTES_PER_CHUNK = 96;

/** A SubmitUpdate: a float32 delta of the largest model a job may have (4/3 as base64 in JSON), and the fields around it. */
export const SUBMIT_UPDATE_BYTES = Math.ceil((MAX_PARAMETERS * 4 * 4) / 3) + CONTROL_BODY_BYTES;

/** The request-size cap of every RPC, from the configuration. */
export interface BodyCaps {
  /** The most bytes one request message of `method` may take, compressed or not. */
  capFor(method: DescMethod): number;
}

export function createBodyCaps(config: Pick<GatewayConfig, "maxChunks" | "maxPayloadBytes">): BodyCaps {
  const special = new Map<string, number>([
    // The manifest: fixed fields plus COMMIT_BYTES_PER_CHUNK for each chunk an upload may have.
    [methodKey(DatasetService.method.commitUpload), MANIFEST_FIXED_BYTES + config.maxChunks * COMMIT_BYTES_PER_CHUNK],
    // A transfer of samples lists each chunk's plain size.
    [
      methodKey(DataTransferService.method.initiateTransfer),
      CONTROL_BODY_BYTES + config.maxChunks * INITIATE_BYTES_PER_CHUNK,
    ],
    // Every worker's grant of its shard's chunks: at most every chunk, once per worker.
    [methodKey(JobService.method.grantKeys), CONTROL_BODY_BYTES + config.maxChunks * GRANT_BYTES_PER_CHUNK],
    // A model update of the largest model a job may have (jobs/job-spec.ts MAX_PARAMETERS).
    [methodKey(NodeService.method.submitUpdate), SUBMIT_UPDATE_BYTES],
    // One DataChunk: a frame payload (base64 in JSON: 4/3 as long) and its proof, ids and digests.
    [
      methodKey(DataTransferService.method.streamData),
      Math.ceil((config.maxPayloadBytes * 4) / 3) + CONTROL_BODY_BYTES,
    ],
  ]);
  return { capFor: (m) => special.get(methodKey(m)) ?? CONTROL_BODY_BYTES };
}
