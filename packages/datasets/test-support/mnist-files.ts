import { openFileByteSource } from "@cyxwiz/protocol/node";
import { MNIST_FILES, mnistPath } from "../../../test-support/datasets.js";
import type { InputFile } from "../src/samples/input-file.js";

/** The MNIST t10k images and labels files as InputFiles (Node), and a `close` for their handles. */
export async function openMnist(): Promise<{ files: InputFile[]; close: () => Promise<void> }> {
  const sources = await Promise.all(
    (["images", "labels"] as const).map(async (k) => ({ k, source: await openFileByteSource(mnistPath(k)) })),
  );
  return {
    files: sources.map(({ k, source }) => ({ path: MNIST_FILES[k], source })),
    close: async () => {
      await Promise.all(sources.map((s) => s.source.close()));
    },
  };
}
