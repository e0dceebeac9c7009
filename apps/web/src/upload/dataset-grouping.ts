/** Extensions of image files the images format reads (docs/dataset-formats.md). */
const IMAGE_FILE = /\.(png|jpe?g)$/i;
/** IDX files as MNIST ships them (`train-images-idx3-ubyte.gz`). */
const IDX_FILE = /idx\d-ubyte(\.gz)?$/i;

/**
 * Which files chosen together form one dataset: a folder (files with a `webkitRelativePath`), a set
 * of IDX files (images and labels), or a set of images are one dataset; any other files are one
 * dataset each.
 */
export function groupFiles<F extends { readonly name: string; readonly webkitRelativePath?: string }>(
  files: readonly F[],
): F[][] {
  if (files.length < 2) return files.map((f) => [f]);
  const together =
    files.every((f) => (f.webkitRelativePath ?? "") !== "") ||
    files.every((f) => IDX_FILE.test(f.name)) ||
    files.every((f) => IMAGE_FILE.test(f.name));
  return together ? [[...files]] : files.map((f) => [f]);
}

/** The path a file is read under: its place in a chosen folder, else its name. */
export function inputPathOf(file: { readonly name: string; readonly webkitRelativePath?: string }): string {
  return file.webkitRelativePath !== undefined && file.webkitRelativePath !== "" ? file.webkitRelativePath : file.name;
}
