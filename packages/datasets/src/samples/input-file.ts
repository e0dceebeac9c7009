import type { ByteSource } from "@cyxwiz/protocol/chunk";

/**
 * One file of a dataset as the readers see it: a dropped `File` in the browser
 * (`blobByteSource`), a file on disk in Node (`openFileByteSource`). `path` is relative to what
 * the owner chose, with `/` separators, so an image folder's sub-folder names (its labels) survive:
 * `"cats/001.png"`; a single file is just its name.
 */
export interface InputFile {
  readonly path: string;
  readonly source: ByteSource;
}
