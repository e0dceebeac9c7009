import { type CompressionCodec, DatasetStatus } from "@cyxwiz/protocol/gen";
import { codecName } from "@cyxwiz/protocol/vocab";

/** "Ready", "Corrupt", or "Unknown" for a status this build does not know. */
export function datasetStatusLabel(status: DatasetStatus): string {
  switch (status) {
    case DatasetStatus.READY:
      return "Ready";
    case DatasetStatus.CORRUPT:
      return "Corrupt";
    default:
      return "Unknown";
  }
}

/** The codec as the upload page names it ("none", "zstd", "lz4", "snappy"), or "unknown". */
export function codecLabel(codec: CompressionCodec): string {
  try {
    return codecName(codec);
  } catch {
    return "unknown"; // UNSPECIFIED, or a codec this build does not know
  }
}

/** The first and last characters of a long hex string, for narrow table cells ("3fa9c2…81d0"). */
export function shortHex(hex: string, keep = 8): string {
  return hex.length <= keep * 2 + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-keep)}`;
}
