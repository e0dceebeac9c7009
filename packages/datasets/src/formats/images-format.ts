import * as arrow from "apache-arrow";
import { unzipSync } from "fflate";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import {
  BY_CONTENT,
  BY_EXTENSION,
  type FileHead,
  type FormatReader,
  NOT_MINE,
  type ReaderOptions,
} from "./format-reader.js";
import type { Pixels } from "./image-decode.js";
import { ProgressCounter } from "./progress.js";
import { extensionOf, isImage, MAGIC, startsWith } from "./sniff.js";

/** The decoders (fast-png, jpeg-js), loaded when images are read, not when files are detected. */
type Codec = typeof import("./image-decode.js");

import { batchOf, tensorData, tensorField } from "./tensor-field.js";
import { readWholeFile } from "./whole-file.js";

const IMAGE_EXTENSIONS = ["png", "jpg", "jpeg"];

/** One image waiting to be decoded. */
interface ImageEntry {
  readonly path: string;
  bytes(): Promise<Uint8Array>;
}

/**
 * A folder of PNG/JPEG images (several InputFiles, `cats/001.png`) or one `.zip` of them. Images
 * are taken in path order (code-unit order, so every runtime agrees) and labelled by their parent
 * folder once the folders every image shares are set aside (`train/cats/1.png`, `train/dogs/2.png`
 * → `cats`, `dogs`); when every image sits in the same folder there is no label. Pixels become one
 * tensor column `image` of uint8 [height, width, channels]; the first image sets the size and the
 * channel count, later images are converted to its channels (image-decode.ts) and must have its
 * size unless `imageSize` resizes every image (nearest neighbour).
 */
export const imagesFormat: FormatReader = {
  name: "images",
  detect(heads: readonly FileHead[]) {
    if (heads.length === 1 && startsWith(heads[0]!.head, MAGIC.zip)) return BY_CONTENT;
    if (heads.length > 0 && heads.every((h) => isImage(h.head))) return BY_CONTENT;
    if (heads.length === 1 && extensionOf(heads[0]!.path) === "zip") return BY_EXTENSION;
    return heads.length > 0 && heads.every((h) => IMAGE_EXTENSIONS.includes(extensionOf(h.path)))
      ? BY_EXTENSION
      : NOT_MINE;
  },
  async read(files: readonly InputFile[], options: ReaderOptions) {
    const progress = new ProgressCounter(
      files.reduce((a, f) => a + f.source.size, 0),
      options.onProgress,
    );
    const entries = await listEntries(files, options, progress);
    if (entries.length === 0)
      throw new DatasetError(
        "CYXW_ERR_DS_EMPTY",
        files.length === 1 ? { file: files[0]!.path } : {},
        "no PNG or JPEG images found",
      );
    const labels = folderLabels(entries.map((e) => e.path));
    const codec: Codec = await import("./image-decode.js");
    const first = fitSize(codec, codec.decodeImage(entries[0]!.path, await entries[0]!.bytes()), options);
    const fields = [tensorField("image", "uint8", [first.height, first.width, first.channels])];
    if (labels !== undefined) fields.push(new arrow.Field("label", new arrow.Utf8(), false));
    const schema = new arrow.Schema(fields);
    return {
      schema,
      ...(labels !== undefined ? { naturalLabel: "label" } : {}),
      batches: readBatches(codec, schema, entries, labels, first, options),
    };
  },
};

async function listEntries(
  files: readonly InputFile[],
  options: ReaderOptions,
  progress: ProgressCounter,
): Promise<ImageEntry[]> {
  if (files.length === 1) {
    const head = await files[0]!.source.read(0, 4);
    if (files[0]!.source.size === 0)
      throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: files[0]!.path }, "the file is empty (0 bytes)");
    if (startsWith(head, MAGIC.zip)) {
      const zipped = await readWholeFile(files[0]!, options.limits, progress);
      let contents: Record<string, Uint8Array>;
      try {
        contents = unzipSync(zipped, {
          filter: (f) => isImagePath(f.name) && f.originalSize <= options.limits.maxInMemoryBytes,
        });
      } catch (e) {
        throw new DatasetError(
          "CYXW_ERR_DS_TRUNCATED",
          { file: files[0]!.path },
          `the zip is damaged or cut short (${(e as Error).message})`,
          { cause: e },
        );
      }
      return Object.keys(contents)
        .sort(byCodeUnits)
        .map((path) => ({ path, bytes: async () => contents[path]! }));
    }
  }
  return files
    .filter((f) => !f.path.split("/").some((s) => s.startsWith(".")))
    .slice()
    .sort((a, b) => byCodeUnits(a.path, b.path))
    .map((f) => ({
      path: f.path,
      bytes: async () => {
        const bytes = await readWholeFile(f, options.limits);
        progress.add(bytes.length);
        return bytes;
      },
    }));
}

function isImagePath(name: string): boolean {
  if (name.endsWith("/") || name.startsWith("__MACOSX/") || name.split("/").some((s) => s.startsWith(".")))
    return false;
  return IMAGE_EXTENSIONS.includes(extensionOf(name));
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Each image's label: its parent folder below the folders all images share; undefined when there is none. */
function folderLabels(paths: readonly string[]): string[] | undefined {
  const dirs = paths.map((p) => p.split("/").slice(0, -1));
  let common = 0;
  while (dirs.every((d) => d.length > common && d[common] === dirs[0]![common])) common++;
  if (dirs.every((d) => d.length === common)) return undefined;
  return dirs.map((d, i) => {
    if (d.length === common)
      throw new DatasetError(
        "CYXW_ERR_DS_BAD_OPTION",
        { file: paths[i]! },
        "the image is outside every label folder while others are inside one",
      );
    return d[d.length - 1]!;
  });
}

function fitSize(codec: Codec, p: Pixels, options: ReaderOptions): Pixels {
  return options.imageSize === undefined
    ? p
    : codec.resizeNearest(p, options.imageSize.width, options.imageSize.height);
}

async function* readBatches(
  codec: Codec,
  schema: arrow.Schema,
  entries: readonly ImageEntry[],
  labels: readonly string[] | undefined,
  first: Pixels,
  options: ReaderOptions,
): AsyncGenerator<arrow.RecordBatch> {
  const per = first.width * first.height * first.channels;
  for (let start = 0; start < entries.length; start += options.batchRows) {
    const rows = Math.min(options.batchRows, entries.length - start);
    const values = new Uint8Array(rows * per);
    for (let r = 0; r < rows; r++) {
      const entry = entries[start + r]!;
      const p =
        start + r === 0
          ? first
          : codec.convertChannels(
              fitSize(codec, codec.decodeImage(entry.path, await entry.bytes()), options),
              first.channels,
            );
      if (p.width !== first.width || p.height !== first.height) {
        throw new DatasetError(
          "CYXW_ERR_DS_IMAGE_SIZE",
          { file: entry.path },
          `the image is ${p.width}×${p.height} but ${entries[0]!.path} is ${first.width}×${first.height}; pass imageSize to resize every image`,
        );
      }
      values.set(p.data, r * per);
    }
    const children = [tensorData(schema.fields[0]!, rows, values)];
    if (labels !== undefined) {
      children.push(arrow.vectorFromArray(labels.slice(start, start + rows), new arrow.Utf8()).data[0]!);
    }
    yield batchOf(schema, rows, children);
  }
}
