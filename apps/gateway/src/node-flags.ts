/**
 * The V8 flags the gateway runs with (`npm start` passes them; see apps/gateway/package.json,
 * kept equal by gateway.test.ts). Measured on the 2-core machines this platform targets, with a
 * Node client uploading 512 MiB (docs/decisions.md, "Gateway GC flags"): V8's concurrent and
 * parallel GC threads compete with the gateway's own work for the same two cores, and every
 * 4 MiB frame's buffers push the heap into frequent major GCs; one GC thread and a larger young
 * generation cut the gateway's CPU per MB by about a fifth, and marking in one pause instead of
 * incremental steps by another ~6% (at the price of ~35 ms pauses, which a window of 8 frames
 * in flight rides out).
 */
export const GATEWAY_NODE_FLAGS = [
  "--single-threaded-gc",
  "--max-semi-space-size=32",
  "--no-incremental-marking",
] as const;
