import { transferChunkLayout } from "@cyxwiz/protocol/chunk";
import { type CodecName, isCodecName } from "@cyxwiz/protocol/vocab";

/** What the gateway acknowledged of one chunk: what the manifest needs, without re-reading it. */
export interface ChunkRecord {
  /** Bytes as stored (compressed?, encrypted?). */
  readonly storedSize: number;
  /** SHA-256 of the stored bytes, base64. */
  readonly digest: string;
  readonly compressed: boolean;
}

/**
 * Everything needed to resume an interrupted upload in a new process or page
 * (docs/upload-protocol.md §3): plain JSON values only, so any store can keep it (a JSON file,
 * IndexedDB, localStorage).
 *
 * `datasetKey` is the owner's secret (the DEK, base64): whoever reads the state can read the
 * dataset. The store implementation decides where it lives and how it is protected.
 */
export interface TransferState {
  /** Layout version of this object. */
  readonly format: 1;
  readonly transferId: string;
  readonly name: string;
  readonly type: string;
  /** `DataClassification` as a number. */
  readonly classification: number;
  readonly totalSize: number;
  readonly chunkSize: number;
  readonly numChunks: number;
  /** A dataset of samples: each chunk's plain size (absent for fixed chunks of chunkSize). */
  readonly plainSizes?: readonly number[];
  /** The codec the caller asked for. */
  readonly requestedCodec: CodecName;
  /** The codec decided on the first chunk (docs/wire-format.md "Compressed chunks"). */
  readonly codec: CodecName;
  readonly encrypted: boolean;
  /** Whether the DEK is escrowed to the gateway at commit. */
  readonly escrow: boolean;
  /** The DEK, base64 (encrypted uploads only). */
  readonly datasetKey?: string;
  /** The manifest's cipher parameters, base64 fields (encrypted uploads only). */
  readonly cipher?: {
    readonly algorithm: string;
    readonly salt: string;
    readonly noncePrefix: string;
    readonly keyCheck: string;
  };
  /** When the transfer was initiated (ISO 8601); the manifest's created_at. */
  readonly createdAt: string;
  /** One entry per chunk: its record once the gateway acknowledged it, else null. */
  readonly chunks: ReadonlyArray<ChunkRecord | null>;
}

/**
 * Where upload state is kept between sessions. The session saves after every acknowledgement
 * (coalesced: at most one save runs at a time, and the newest state is always the last saved),
 * loads it when it starts, and deletes it once the upload is committed or cancelled.
 *
 * Node: `createJsonFileStateStore(dir)` (files of mode 0600). Browsers: the app supplies one
 * (IndexedDB), so the DEK stays in the origin's storage.
 */
export interface TransferStateStore {
  /** The state saved under `key`, or undefined. A value that is not a valid state is discarded by the session. */
  load(key: string): Promise<TransferState | undefined>;
  /** Replaces the state under `key`. `state` is a fresh object the store may keep. */
  save(key: string, state: TransferState): Promise<void>;
  /** Forgets `key` (no error when absent). */
  delete(key: string): Promise<void>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks that a loaded value is a {@link TransferState} this version understands, so a damaged
 * or foreign file is discarded instead of driving an upload.
 *
 * @returns the state, or a reason why it is not one.
 */
export function parseTransferState(value: unknown): { ok: true; state: TransferState } | { ok: false; reason: string } {
  const bad = (reason: string) => ({ ok: false as const, reason });
  if (typeof value !== "object" || value === null) return bad("not an object");
  const s = value as Record<string, unknown>;
  if (s.format !== 1) return bad(`unknown format ${String(s.format)}`);
  for (const k of ["transferId", "name", "type", "createdAt", "codec", "requestedCodec"] as const) {
    if (typeof s[k] !== "string") return bad(`${k} is not a string`);
  }
  if (s.transferId === "") return bad("transferId is empty");
  for (const k of ["classification", "totalSize", "chunkSize", "numChunks"] as const) {
    if (!Number.isSafeInteger(s[k]) || (s[k] as number) < 0) return bad(`${k} is not a non-negative integer`);
  }
  if (
    s.plainSizes !== undefined &&
    (!Array.isArray(s.plainSizes) || !s.plainSizes.every((n) => Number.isSafeInteger(n) && (n as number) > 0))
  )
    return bad("plainSizes is not a list of chunk sizes");
  const plainSizes = s.plainSizes as number[] | undefined;
  if (s.numChunks !== layoutChunkCount(s.chunkSize as number, s.totalSize as number, plainSizes)) {
    return bad("sizes and chunk count disagree");
  }
  if (!isCodecName(s.codec) || !isCodecName(s.requestedCodec)) return bad("unknown codec");
  if (typeof s.encrypted !== "boolean" || typeof s.escrow !== "boolean")
    return bad("encrypted/escrow are not booleans");
  if (s.encrypted) {
    if (typeof s.datasetKey !== "string" || !BASE64.test(s.datasetKey) || s.datasetKey.length !== 44)
      return bad("datasetKey is not 32 bytes of base64");
    const c = s.cipher as Record<string, unknown> | undefined;
    if (typeof c !== "object" || c === null) return bad("cipher parameters are missing");
    for (const k of ["algorithm", "salt", "noncePrefix", "keyCheck"]) {
      if (typeof c[k] !== "string" || (k !== "algorithm" && !BASE64.test(c[k] as string)))
        return bad(`cipher.${k} is not base64`);
    }
  } else if (s.datasetKey !== undefined || s.cipher !== undefined) {
    return bad("an unencrypted upload holds key material");
  }
  if (!Array.isArray(s.chunks) || s.chunks.length !== s.numChunks)
    return bad("chunks does not hold one entry per chunk");
  for (const c of s.chunks as unknown[]) {
    if (c === null) continue;
    const r = c as Record<string, unknown>;
    if (typeof r !== "object" || !Number.isSafeInteger(r.storedSize) || typeof r.compressed !== "boolean")
      return bad("a chunk record is malformed");
    if (typeof r.digest !== "string" || r.digest.length !== 44 || !BASE64.test(r.digest))
      return bad("a chunk digest is not 32 bytes of base64");
  }
  return { ok: true, state: value as TransferState };
}

/** The chunk count of the layout these sizes describe (chunk-layout.ts), or undefined for sizes no layout has. */
function layoutChunkCount(chunkSize: number, totalSize: number, plainSizes?: readonly number[]): number | undefined {
  try {
    return transferChunkLayout({ chunkSize, totalSize, plainSizes }).numChunks;
  } catch {
    return undefined;
  }
}
