import { toClientError } from "@cyxwiz/client";

import type { DatasetVersion } from "@cyxwiz/protocol/gen";
import { formatBytes } from "@cyxwiz/protocol/units";
import { classificationName, codecName } from "@cyxwiz/protocol/vocab";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import { hex, type Output } from "../output.js";

/** `cyxwiz ls --gateway URL`: the caller's datasets, newest version of each. */
export async function lsCommand(opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  let datasets: DatasetVersion[];
  try {
    datasets = (await clients.datasets.listDatasets({})).datasets;
  } catch (e) {
    throw cliErrorOf(toClientError(e, `ListDatasets at ${clients.baseUrl}`));
  }
  const rows = datasets.map(describeVersion);
  const text =
    rows.length === 0
      ? "no datasets"
      : table(
          ["REF", "SIZE", "CHUNKS", "CLASSIFICATION", "ENCRYPTED", "CREATED"],
          rows.map((r) => [
            r.ref,
            formatBytes(r.totalSize),
            String(r.numChunks),
            r.classification,
            r.encrypted ? (r.keyEscrowed ? "yes (escrowed)" : "yes") : "no",
            r.createdAt ?? "",
          ]),
        );
  out.result({ datasets: rows }, text);
}

/** A dataset version as JSON-friendly values. */
export function describeVersion(v: DatasetVersion) {
  return {
    ref: v.ref,
    name: v.name,
    version: v.version,
    owner: v.owner,
    classification: classificationName(v.classification),
    totalSize: Number(v.totalSize),
    storedSize: Number(v.storedSize),
    numChunks: v.numChunks,
    chunkSize: v.chunkSize,
    codec: safeCodecName(v.codec),
    encrypted: v.encrypted,
    keyEscrowed: v.keyEscrowed,
    merkleRoot: hex(v.merkleRoot),
    transferId: v.transferId,
    ...(v.createdAt === undefined ? {} : { createdAt: new Date(Number(v.createdAt.seconds) * 1000).toISOString() }),
  };
}

function safeCodecName(codec: DatasetVersion["codec"]): string {
  try {
    return codecName(codec);
  } catch {
    return String(codec);
  }
}

/** Rows under a header, in columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
