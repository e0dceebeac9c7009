/**
 * Pack throughput in Node: MNIST t10k and a ~20 MB generated CSV, read (readSamples) and packed
 * into 4 MiB chunks (packSampleChunks). Prints MB/s of input bytes and samples/s, end to end and
 * for packing alone (batches read beforehand), after one warm-up run. Run: `node --import tsx bench/pack-throughput.ts`.
 */
import type * as arrow from "apache-arrow";
import { readSamples } from "../src/formats/read-samples.js";
import type { InputFile } from "../src/samples/input-file.js";
import { packSampleChunks } from "../src/samples/pack-sample-chunks.js";
import { openMnist } from "../test-support/mnist-files.js";
import { generatedCsv, memoryFile } from "../test-support/sample-files.js";

const CHUNK = 4 << 20;

async function measure(name: string, files: InputFile[], inputBytes: number): Promise<void> {
  let t = performance.now();
  const s = await readSamples(files);
  let samples = 0;
  let out = 0;
  for await (const c of packSampleChunks(s.schema, s.batches, { chunkSize: CHUNK })) {
    samples += c.sampleCount;
    out += c.bytes.length;
  }
  const endToEnd = (performance.now() - t) / 1000;

  const again = await readSamples(files);
  const batches: arrow.RecordBatch[] = [];
  for await (const b of again.batches) batches.push(b);
  t = performance.now();
  for await (const _ of packSampleChunks(
    again.schema,
    (async function* () {
      yield* batches;
    })(),
    { chunkSize: CHUNK },
  ));
  const packOnly = (performance.now() - t) / 1000;

  const mb = inputBytes / 1e6;
  console.log(
    `${name}: ${samples} samples, ${mb.toFixed(1)} MB in, ${(out / 1e6).toFixed(1)} MB of chunks | read+pack ${endToEnd.toFixed(2)} s = ${(mb / endToEnd).toFixed(1)} MB/s, ${Math.round(samples / endToEnd)} samples/s | pack only ${packOnly.toFixed(2)} s = ${(out / 1e6 / packOnly).toFixed(1)} MB/s of chunks, ${Math.round(samples / packOnly)} samples/s`,
  );
}

const mnist = await openMnist();
// Warm-up: loads every reader module (detection imports them all) and lets the JIT settle.
await measure("(warm-up) MNIST", mnist.files, 0);
await measure(
  "MNIST t10k (gzipped IDX)",
  mnist.files,
  mnist.files.reduce((a, f) => a + f.source.size, 0),
);
await mnist.close();
const csv = new TextEncoder().encode(generatedCsv(500_000, 5));
await measure("generated CSV", [memoryFile("g.csv", csv)], csv.length);
