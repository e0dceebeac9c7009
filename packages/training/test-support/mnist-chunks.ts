import { prepareSamples } from "@cyxwiz/datasets/pack";
import { openFileByteSource } from "@cyxwiz/protocol/node";
import { MNIST_FILES, mnistPath } from "../../../test-support/datasets.js";

/** MNIST t10k packed into chunks of whole samples (Node), with the manifest's label order. */
export async function mnistChunks(
  chunkSize = 256 * 1024,
): Promise<{ chunks: readonly Uint8Array[]; labels: string[] }> {
  const sources = await Promise.all((["images", "labels"] as const).map((k) => openFileByteSource(mnistPath(k))));
  try {
    const prepared = await prepareSamples(
      sources.map((source, i) => ({ path: Object.values(MNIST_FILES)[i]!, source })),
      { chunkSize },
    );
    return { chunks: prepared.chunks, labels: prepared.summary.labelHistogram.map((h) => h.label) };
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}
