/** The part of lz4js (pure JavaScript LZ4, CommonJS, no types of its own) that src/compress uses. */
declare module "lz4js" {
  interface Lz4js {
    /** Compresses `src` into one LZ4 frame (4 MiB linked blocks, no checksums). */
    compress(src: Uint8Array): Uint8Array;
    /**
     * Decodes the LZ4 frame in `src` into `dst` and returns how many bytes the frame produced. Bytes
     * beyond `dst.length` are dropped, not written, and nothing is validated: see lz4-codec.ts.
     */
    decompressFrame(src: Uint8Array, dst: Uint8Array): number;
  }
  const lz4js: Lz4js;
  export default lz4js;
}
