import { create } from "@bufbuild/protobuf";
import { type ChunkCodec, loadCodec } from "../compress/index.js";
import type { ChunkCipher } from "../crypto/index.js";
import { ackStatusOf, type ErrorCode, failure, type ProtocolFailure } from "../errors/error-codes.js";
import { type DecodeOptions, decodeFrameHeader, decodeFramePieces, equalDigests } from "../frame/frame-codec.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, describeFlags, FRAME_HEADER_BYTES, FrameFlag } from "../frame/frame-format.js";
import {
  AckStatus,
  type DataChunk,
  type TransferAck,
  TransferAckSchema,
} from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import { CompressionCodec, type DatasetManifest } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { type MerkleProof, verifyMerkleProof } from "../merkle/index.js";
import { copyPieces, joinPieces, piecesLength, slicePieces } from "../pieces.js";
import type { Primitives } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import {
  describeSizeMismatch,
  type FixedChunkLayout,
  MAX_CHUNKS,
  type SizeBounds,
  type StoredForm,
  storedSizeBoundsOf,
} from "./chunk-layout.js";
import { type CheckedManifest, checkManifest } from "./manifest-check.js";

/** A verified chunk handed to the store. */
export interface ReceivedChunk {
  readonly index: number;
  /** SHA-256 of `stored`, verified against the declared Merkle root. */
  readonly digest: Uint8Array;
  /** The bytes as stored and framed (ciphertext when encrypted), joined into one buffer on first use. */
  readonly stored: Uint8Array;
  /** The same bytes in the pieces they arrived in (views of the message): write these, not `stored`, to avoid a copy. */
  readonly storedParts: readonly Uint8Array[];
  /** Length of the stored bytes. */
  readonly storedSize: number;
  /** The plaintext, when the receiver holds the key (or the data is not encrypted). */
  readonly plaintext?: Uint8Array;
}

/** What the receiver asks its transport to do. */
export type ReceiverEvent =
  | { readonly kind: "ack"; readonly ack: TransferAck }
  | { readonly kind: "retransmit"; readonly index: number; readonly reason: ErrorCode }
  | { readonly kind: "durable"; readonly index: number; readonly bytes: number }
  /** Every chunk is durable. `merkleRoot` is the declared root (absent in streaming mode). */
  | { readonly kind: "complete"; readonly merkleRoot?: Uint8Array };

/**
 * What a receiver in streaming mode knows before the manifest exists (an upload sent in one pass,
 * docs/upload-protocol.md): the layout InitiateTransfer declared (chunk count and each chunk's
 * size), and whether chunks are encrypted and may be compressed. A chunk whose stored size the
 * layout does not allow is refused (CYXW_ERR_CHUNK_SIZE) before it is hashed or stored.
 */
export interface StreamingExpectation {
  readonly layout: FixedChunkLayout;
  readonly encrypted: boolean;
  readonly mayBeCompressed: boolean;
}

export interface ChunkReceiverOptions {
  readonly primitives: Primitives;
  /**
   * Full mode: the manifest, checked before anything is received; every chunk is then decrypted
   * (with `cipher`), decompressed and Merkle-verified on arrival. Give this or `streaming`.
   */
  readonly manifest?: DatasetManifest;
  /**
   * Streaming mode: no manifest yet. Chunks are checked (FCS, SHA-256, sequence, flags), stored
   * and their digests reported; the Merkle root is verified when the manifest is committed
   * (`checkCommit`). Give this or `manifest`.
   */
  readonly streaming?: StreamingExpectation;
  readonly transferId: string;
  /** When given, chunks are decrypted (seed §5.4 step 4); a gateway holding only ciphertext omits it. */
  readonly cipher?: ChunkCipher;
  /** Persists a verified chunk; must resolve only once the chunk is durable (step 7 acks after). */
  readonly store: (chunk: ReceivedChunk) => Promise<void>;
  /**
   * Chunks whose `store` may be in flight at once (default 1). Verification stays strictly in
   * arrival order; only the durable writes overlap, so a gateway is not bound by one chunk's
   * write-fsync-record latency. Each chunk is still acked only once its own store resolved.
   */
  readonly maxConcurrentStores?: number;
  /** Chunk indexes already durable from an earlier connection (resume). */
  readonly durable?: Iterable<number>;
  /** Frames this far ahead of the next expected chunk are buffered; further ones are refused. Default 16. */
  readonly reorderWindow?: number;
  /** The payload bound of every transport (default DEFAULT_MAX_PAYLOAD_BYTES): larger chunks are refused unread. */
  readonly maxPayloadBytes?: number;
}

export interface ChunkReceiver {
  /**
   * Feeds one CYXW frame (one WebSocket message, whole or in the fragments it arrived in). Frames are verified strictly one at a time, in
   * call order; the returned promise resolves once the chunks this frame made storable are durable
   * (their "durable" and ack events), so with `maxConcurrentStores` > 1 the next frame is verified
   * while this one's chunk is still being written.
   *
   * Once the promise settles the receiver holds no reference to `message`'s bytes (a frame that
   * arrived ahead of its turn is kept as a copy), so the caller may reuse its buffers.
   */
  receiveFrame(message: Uint8Array | readonly Uint8Array[]): Promise<ReceiverEvent[]>;
  /** Feeds one DataChunk of the StreamData RPC: the same verification, with its own fcs and proof. */
  receiveDataChunk(chunk: DataChunk): Promise<ReceiverEvent[]>;
  /** Chunk indexes not yet durable, ascending (TransferStatus.missing_chunks). */
  missingChunks(): number[];
  readonly chunksDurable: number;
  readonly bytesDurable: number;
  readonly numChunks: number;
  readonly complete: boolean;
}

/** One chunk arriving by either transport, after FCS and SHA-256 were checked. */
interface Arrival {
  readonly index: number;
  readonly flags: number;
  /** The stored bytes, in the pieces they arrived in (views). */
  readonly payload: readonly Uint8Array[];
  readonly size: number;
  readonly digest: Uint8Array;
  readonly proof?: MerkleProof;
}

/**
 * The seed's chunk verification (§5.4) as a transport-free state machine: frames in; acks,
 * retransmit requests, "durable" and "complete" events out. Order: FCS → SHA-256 → sequence
 * (reorder buffer, duplicates and replays dropped) → decrypt → decompress → Merkle proof against
 * the declared root → store → ack. A chunk is acked only after `store` resolved. Before any of
 * that, a chunk's size is checked against the transfer's layout (chunk-layout.ts) from the frame
 * header or the DataChunk's length, so an oversized chunk is neither hashed nor stored.
 *
 * @returns CYXW_ERR_MANIFEST if the declared manifest is inconsistent.
 */
export async function createChunkReceiver(
  options: ChunkReceiverOptions,
): Promise<Result<ChunkReceiver, ProtocolFailure>> {
  if ((options.manifest === undefined) === (options.streaming === undefined)) {
    throw new TypeError("createChunkReceiver needs exactly one of `manifest` (full mode) or `streaming`");
  }
  let full: CheckedManifest | undefined;
  if (options.manifest !== undefined) {
    const checked = checkManifest(
      options.manifest,
      options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes },
    );
    if (!checked.ok) return checked;
    full = checked.value;
  }
  const streaming = options.streaming;
  const layout = streaming?.layout;
  if (
    layout !== undefined &&
    (!Number.isInteger(layout.numChunks) || layout.numChunks < 1 || layout.numChunks > MAX_CHUNKS)
  ) {
    return err(failure("CYXW_ERR_MANIFEST", `a transfer has 1 to ${MAX_CHUNKS} chunks, not ${layout.numChunks}`));
  }
  const numChunks = full?.numChunks ?? layout!.numChunks;
  const encrypted = full?.encrypted ?? streaming!.encrypted;
  const manifest = full?.manifest;
  if (!encrypted && options.cipher !== undefined) {
    return err(failure("CYXW_ERR_MANIFEST", "a key was given but the chunks are not encrypted"));
  }
  const readable = full !== undefined && (!encrypted || options.cipher !== undefined);
  const codec: ChunkCodec | undefined =
    readable && manifest!.codec !== CompressionCodec.NONE ? await loadCodec(manifest!.codec) : undefined;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  /** The stored sizes chunk `i` (< numChunks) may have: the layout's rule, with the manifest's sizes in full mode. */
  const boundsOf = (i: number, compressed: StoredForm["compressed"]): SizeBounds =>
    manifest === undefined
      ? layout!.storedSizeBounds(i, { encrypted, compressed })
      : storedSizeBoundsOf(manifest.plainSizes[i]!, { encrypted, compressed: manifest.compressed[i]! });
  // The largest chunk this transfer can hold: a frame header declaring more is refused unread,
  // whatever its sequence says.
  const largestChunk =
    manifest === undefined
      ? storedSizeBoundsOf(layout!.largestPlainSize, { encrypted, compressed: false }).max
      : manifest.storedSizes.reduce((a, b) => Math.max(a, b), 0);
  const frameBound: DecodeOptions = { maxPayloadBytes: Math.min(maxPayloadBytes, largestChunk) };
  const window = options.reorderWindow ?? 16;
  const maxStores = options.maxConcurrentStores ?? 1;
  if (!Number.isInteger(maxStores) || maxStores < 1 || maxStores > 1024) {
    throw new RangeError(`maxConcurrentStores must be an integer from 1 to 1024, got ${maxStores}`);
  }
  const durable = new Set<number>();
  /** Chunks verified and being stored: index → settles (never rejects) when the store ends. */
  const storing = new Map<number, Promise<void>>();
  let bytesDurable = 0;
  for (const i of options.durable ?? []) {
    if (Number.isInteger(i) && i >= 0 && i < numChunks && !durable.has(i)) {
      durable.add(i);
      bytesDurable += manifest?.storedSizes[i] ?? 0;
    }
  }
  const buffered = new Map<number, Arrival>();
  let nextExpected = 0;
  const advance = () => {
    while (nextExpected < numChunks && (durable.has(nextExpected) || storing.has(nextExpected))) nextExpected++;
  };
  advance();

  const ack = (index: number, status: AckStatus, message = ""): ReceiverEvent => ({
    kind: "ack",
    ack: create(TransferAckSchema, {
      transferId: options.transferId,
      chunkIndex: index,
      status,
      errorMessage: message,
    }),
  });
  const refuse = (index: number, f: ProtocolFailure, retransmit: boolean): ReceiverEvent[] => {
    const events: ReceiverEvent[] = [
      ack(index, ackStatusOf(f.code) ?? AckStatus.ACK_CHECKSUM_MISMATCH, `${f.code}: ${f.message}`),
    ];
    if (retransmit) events.push({ kind: "retransmit", index, reason: f.code });
    return events;
  };
  /** Whether chunk `i` is still wanted: a refused copy of it is asked for again. */
  const wanted = (i: number) => i < numChunks && !durable.has(i) && !storing.has(i);
  /**
   * The refusal of chunk `i` (< numChunks) arriving with `size` stored bytes, when the transfer's
   * layout does not allow that size; checked before the chunk is hashed, buffered or stored.
   */
  const sizeRefusal = (i: number, compressed: StoredForm["compressed"], size: number): ReceiverEvent[] | undefined => {
    const mismatch = describeSizeMismatch(i, size, boundsOf(i, compressed));
    return mismatch === undefined ? undefined : refuse(i, failure("CYXW_ERR_CHUNK_SIZE", mismatch), wanted(i));
  };

  /**
   * What one arrival did: events known now (refusals, duplicates), and the stores it started,
   * each resolving to its chunk's "durable" (and ack) events.
   */
  interface Accepted {
    readonly events: ReceiverEvent[];
    readonly stores: Promise<ReceiverEvent[]>[];
  }
  const now = (events: ReceiverEvent[]): Accepted => ({ events, stores: [] });

  /** Steps 3-7 for an arrival whose FCS and checksum were verified. */
  async function accept(arrival: Arrival): Promise<Accepted> {
    const i = arrival.index;
    if (i >= numChunks) {
      return now(
        refuse(i, failure("CYXW_ERR_OUT_OF_ORDER", `sequence ${i} is beyond the last chunk (${numChunks - 1})`), false),
      );
    }
    const duplicate = () =>
      ack(i, AckStatus.ACK_DUPLICATE, `CYXW_ERR_DUPLICATE: chunk ${i} was already received; this copy was discarded`);
    const inFlight = storing.get(i);
    if (inFlight !== undefined) {
      // ACK_DUPLICATE promises the chunk is durable: answer once the earlier copy's write is done,
      // and if that write failed, ask for the chunk again instead.
      const answer = inFlight.then(() =>
        durable.has(i)
          ? [duplicate()]
          : refuse(
              i,
              failure("CYXW_ERR_OUT_OF_ORDER", `chunk ${i}: an earlier copy could not be stored; send it again`),
              true,
            ),
      );
      return { events: [], stores: [answer] };
    }
    if (durable.has(i)) return now([duplicate()]);
    // A copy of a chunk waiting in the reorder buffer: not durable yet, so no ACK_DUPLICATE (it
    // promises durability). The waiting copy is acked when it is stored, or refused if that fails.
    if (buffered.has(i)) return now([]);
    if (i >= nextExpected + window) {
      return now(
        refuse(
          i,
          failure(
            "CYXW_ERR_OUT_OF_ORDER",
            `chunk ${i} is more than ${window} chunks ahead of the next expected chunk ${nextExpected}`,
          ),
          false,
        ),
      );
    }
    if (i > nextExpected) {
      // seed §5.4 step 3: buffer and reorder. The bytes are copied: the caller may reuse its
      // buffers once receiveFrame resolves, and this chunk is stored during a later call.
      buffered.set(i, { ...arrival, payload: [copyPieces(arrival.payload)], digest: arrival.digest.slice() });
      return now([]);
    }
    const events: ReceiverEvent[] = [];
    const stores: Promise<ReceiverEvent[]>[] = [];
    let current: Arrival | undefined = arrival;
    while (current !== undefined) {
      const verdict = await process(current);
      if (Array.isArray(verdict)) {
        events.push(...verdict); // refused: the sender retransmits it, later ones wait in the buffer
        break;
      }
      stores.push(verdict.stored);
      advance();
      current = buffered.get(nextExpected);
      if (current !== undefined) buffered.delete(nextExpected);
    }
    return { events, stores };
  }

  const receivedChunk = (index: number, a: Arrival, plaintext: Uint8Array | undefined): ReceivedChunk => {
    let joined: Uint8Array | undefined;
    return {
      index,
      digest: a.digest,
      get stored() {
        joined ??= joinPieces(a.payload);
        return joined;
      },
      storedParts: a.payload,
      storedSize: a.size,
      ...(plaintext === undefined ? {} : { plaintext }),
    };
  };

  /** Starts the durable write of a verified chunk once fewer than `maxStores` are in flight. */
  async function startStore(
    a: Arrival,
    plaintext: Uint8Array | undefined,
  ): Promise<{ readonly stored: Promise<ReceiverEvent[]> }> {
    while (storing.size >= maxStores) await Promise.race(storing.values());
    const i = a.index;
    const stored = options.store(receivedChunk(i, a, plaintext)).then(
      (): ReceiverEvent[] => {
        storing.delete(i);
        durable.add(i);
        bytesDurable += a.size;
        const events: ReceiverEvent[] = [{ kind: "durable", index: i, bytes: a.size }];
        if ((a.flags & FrameFlag.REQUIRES_ACK) !== 0) events.push(ack(i, AckStatus.ACK_OK));
        if (durable.size === numChunks) {
          events.push(
            full === undefined
              ? { kind: "complete" }
              : { kind: "complete", merkleRoot: full.manifest.metadata!.merkleRoot.slice() },
          );
        }
        return events;
      },
      (e: unknown) => {
        // Not durable: the chunk is expected again (the sender learns it from missing_chunks).
        storing.delete(i);
        nextExpected = Math.min(nextExpected, i);
        throw e;
      },
    );
    storing.set(
      i,
      stored.then(
        () => undefined,
        () => undefined,
      ),
    );
    return { stored }; // wrapped: an async function would otherwise wait for it
  }

  /** Steps 4-6 for the next expected chunk: the refusal, or its store once started. */
  async function process(a: Arrival): Promise<ReceiverEvent[] | { readonly stored: Promise<ReceiverEvent[]> }> {
    const i = a.index;
    const last = i === numChunks - 1;
    const isCompressed = (a.flags & FrameFlag.COMPRESSED) !== 0;
    const compressedOk =
      manifest === undefined ? !isCompressed || streaming!.mayBeCompressed : isCompressed === manifest.compressed[i];
    if (
      ((a.flags & FrameFlag.ENCRYPTED) !== 0) !== encrypted ||
      !compressedOk ||
      ((a.flags & FrameFlag.LAST_FRAME) !== 0) !== last
    ) {
      return refuse(
        i,
        failure(
          "CYXW_ERR_FLAGS_MISMATCH",
          `chunk ${i} has flags ${describeFlags(a.flags)}; the transfer expects ${encrypted ? "" : "un"}encrypted chunks, ` +
            `${manifest === undefined ? (streaming!.mayBeCompressed ? "compressed or not" : "uncompressed") : manifest.compressed[i] ? "compressed" : "uncompressed"}, ` +
            `and this one ${last ? "" : "not "}last`,
        ),
        true,
      );
    }
    let plaintext: Uint8Array | undefined;
    if (readable) {
      let body = joinPieces(a.payload);
      if (options.cipher !== undefined) {
        const opened = await options.cipher.open(i, last, body);
        if (!opened.ok) return refuse(i, opened.error, true);
        body = opened.value;
      }
      const plainSize = manifest!.plainSizes[i]!;
      if (isCompressed && codec !== undefined) {
        const unpacked = codec.decompress(body, plainSize);
        if (!unpacked.ok) return refuse(i, unpacked.error, true);
        body = unpacked.value;
      } else if (body.length !== plainSize) {
        return refuse(
          i,
          failure(
            "CYXW_ERR_DECOMPRESS",
            `chunk ${i} holds ${body.length} plaintext bytes; the manifest declares ${plainSize}`,
          ),
          true,
        );
      }
      plaintext = body;
    }
    if (full !== undefined) {
      const proof = a.proof ?? full.tree.proof(i);
      if (!verifyMerkleProof(a.digest, proof, full.manifest.metadata!.merkleRoot)) {
        return refuse(
          i,
          failure(
            "CYXW_ERR_MERKLE_PROOF",
            `chunk ${i}'s digest is not the leaf the declared Merkle root commits to at index ${i}`,
          ),
          true,
        );
      }
    }
    return startStore(a, plaintext);
  }

  const claimedIndex = (bytes: Uint8Array): number => {
    if (bytes.length < 16) return 0;
    const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8);
    return seq < BigInt(numChunks) ? Number(seq) : 0;
  };

  async function onFrame(message: Uint8Array | readonly Uint8Array[]): Promise<Accepted> {
    const pieces = message instanceof Uint8Array ? [message] : message;
    const head = joinPieces(slicePieces(pieces, 0, FRAME_HEADER_BYTES));
    const damaged = (f: ProtocolFailure): Accepted => {
      // Steps 1-2 failed: the frame is damaged; ask for the chunk it claims to be again.
      const index = claimedIndex(head);
      return now(refuse(index, f, head.length >= 16 && !durable.has(index)));
    };
    // The header says how large the chunk is: a size its place in the layout does not allow is
    // refused before the payload is checked, hashed or buffered.
    const header = decodeFrameHeader(head, { maxPayloadBytes });
    if (!header.ok) return damaged(header.error);
    const { sequence, flags, payloadSize } = header.value;
    if (sequence < BigInt(numChunks)) {
      const refused = sizeRefusal(Number(sequence), (flags & FrameFlag.COMPRESSED) !== 0, payloadSize);
      if (refused !== undefined) return now(refused);
    }
    const decoded = await decodeFramePieces(options.primitives, pieces, frameBound);
    if (!decoded.ok) return damaged(decoded.error);
    const f = decoded.value;
    const index = f.sequence > 0xffff_ffffn ? numChunks : Number(f.sequence);
    return accept({
      index,
      flags: f.flags,
      payload: f.payload,
      size: piecesLength(f.payload),
      digest: f.checksum,
    });
  }

  async function onDataChunk(c: DataChunk): Promise<Accepted> {
    const i = c.chunkIndex;
    if (c.transferId !== options.transferId) {
      return now(
        refuse(
          i,
          failure("CYXW_ERR_MANIFEST", `the chunk belongs to transfer ${JSON.stringify(c.transferId)}, not this one`),
          false,
        ),
      );
    }
    if (c.sequence !== BigInt(i)) {
      return now(
        refuse(
          i,
          failure(
            "CYXW_ERR_OUT_OF_ORDER",
            `chunk ${i} carries sequence ${c.sequence}; chunk frames use sequence = chunk index`,
          ),
          false,
        ),
      );
    }
    if (c.payload.length > maxPayloadBytes) {
      const f = failure(
        "CYXW_ERR_PAYLOAD_TOO_LARGE",
        `chunk ${i} carries a ${c.payload.length}-byte payload; the limit is ${maxPayloadBytes}`,
      );
      return now(refuse(i, f, wanted(i)));
    }
    if (i < numChunks) {
      // A DataChunk carries no COMPRESSED flag: in streaming mode either form may come.
      const compressed = manifest === undefined && !streaming!.mayBeCompressed ? false : "unknown";
      const refused = sizeRefusal(i, compressed, c.payload.length);
      if (refused !== undefined) return now(refused);
    }
    const fcs = options.primitives.crc32(c.payload);
    if (fcs !== c.fcs)
      return now(refuse(i, failure("CYXW_ERR_FCS", `chunk ${i}: the payload's CRC-32 does not match its fcs`), true));
    const digest = await options.primitives.sha256(c.payload);
    if (!equalDigests(digest, c.checksum)) {
      return now(
        refuse(i, failure("CYXW_ERR_CHECKSUM", `chunk ${i}: the payload's SHA-256 does not match its checksum`), true),
      );
    }
    const flags =
      (encrypted ? FrameFlag.ENCRYPTED : 0) |
      (i < numChunks && manifest?.compressed[i] === true ? FrameFlag.COMPRESSED : 0) |
      (c.isLast ? FrameFlag.LAST_FRAME : 0) |
      FrameFlag.REQUIRES_ACK;
    const proof = c.merkleProof.length > 0 ? { index: i, leafCount: numChunks, path: c.merkleProof } : undefined;
    return accept({
      index: i,
      flags,
      payload: [c.payload],
      size: c.payload.length,
      digest,
      ...(proof === undefined ? {} : { proof }),
    });
  }

  // One arrival at a time: the state above is not safe to interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  /**
   * Verification in order under the lock; the stores it started are awaited outside it. Every
   * store is awaited even when one fails: the caller may reuse the message's buffers once this
   * settles, and a store still writing from them would write whatever comes next (the fuzz found
   * this; chunk-receiver-fuzz-regressions.json). Then the first failure is thrown.
   */
  const settle = async (accepted: Promise<Accepted>): Promise<ReceiverEvent[]> => {
    const { events, stores } = await accepted;
    if (stores.length === 0) return events;
    const outcomes = await Promise.allSettled(stores);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return [...outcomes.flatMap((o) => (o as PromiseFulfilledResult<ReceiverEvent[]>).value), ...events];
  };

  return ok({
    receiveFrame: (bytes) => settle(serialized(() => onFrame(bytes))),
    receiveDataChunk: (chunk) => settle(serialized(() => onDataChunk(chunk))),
    missingChunks() {
      const missing: number[] = [];
      for (let i = 0; i < numChunks; i++) if (!durable.has(i)) missing.push(i);
      return missing;
    },
    get chunksDurable() {
      return durable.size;
    },
    get bytesDurable() {
      return bytesDurable;
    },
    numChunks,
    get complete() {
      return durable.size === numChunks;
    },
  });
}
