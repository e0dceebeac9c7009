import type { ChunkPacker } from "@cyxwiz/protocol/chunk";
import type { ChunkCipher } from "@cyxwiz/protocol/crypto";
import type { ChunkRecord, TransferState } from "../transfer-state.js";

/**
 * The transfer being uploaded: its saved state plus what is rebuilt from it in memory, and which
 * chunks the gateway holds durably (acknowledged, or absent from missing_chunks).
 */
export interface LiveTransfer {
  readonly state: TransferState;
  /** One record per chunk once known (acknowledged, or saved by an earlier session), else null. */
  readonly chunks: (ChunkRecord | null)[];
  readonly packer: ChunkPacker;
  /** This session's own copy of the DEK (zeroed when the run ends). */
  readonly datasetKey: Uint8Array | undefined;
  readonly cipher: ChunkCipher | undefined;
  /** Whether this session continued an upload saved by an earlier one. */
  readonly resumed: boolean;
  /** The gateway reported the resumed transfer COMPLETED: an earlier session committed it. */
  readonly completedOnGateway: boolean;
  readonly durable: ReadonlySet<number>;
  /** Plaintext bytes of the durable chunks. */
  readonly bytesDurable: number;
  /**
   * Records that the gateway holds chunk `index`; keeps `record` when none was known.
   * @returns whether the chunk was not durable before.
   */
  markDurable(index: number, record?: ChunkRecord): boolean;
  /** The state to save now: the saved fields with the current chunk records. */
  snapshot(): TransferState;
}

/** What a {@link LiveTransfer} starts from; the durable set starts with every chunk `state` has a record of. */
export interface LiveTransferInit {
  readonly state: TransferState;
  readonly packer: ChunkPacker;
  readonly datasetKey: Uint8Array | undefined;
  readonly cipher: ChunkCipher | undefined;
  readonly resumed: boolean;
  readonly completedOnGateway: boolean;
}

/** Creates the in-memory side of a transfer; chunks recorded in `init.state` count as durable. */
export function createLiveTransfer(init: LiveTransferInit): LiveTransfer {
  const { state, packer } = init;
  const chunks: (ChunkRecord | null)[] =
    state.chunks.length === state.numChunks
      ? state.chunks.slice()
      : new Array<ChunkRecord | null>(state.numChunks).fill(null);
  const durable = new Set<number>();
  let bytesDurable = 0;
  const live: LiveTransfer = {
    ...init,
    chunks,
    durable,
    get bytesDurable() {
      return bytesDurable;
    },
    markDurable(index, record) {
      if (record !== undefined && chunks[index] === null) chunks[index] = record;
      if (durable.has(index)) return false;
      durable.add(index);
      bytesDurable += packer.layout.plainSizeOf(index);
      return true;
    },
    snapshot: () => ({ ...state, chunks: chunks.slice() }),
  };
  chunks.forEach((c, i) => {
    if (c !== null) live.markDurable(i);
  });
  return live;
}
