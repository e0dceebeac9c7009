import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, isProtocolError } from "../errors/error-codes.js";
import { decodeFrame, encodeFrame } from "./frame-codec.js";
import { splitFrames } from "./frame-reader.js";

const primitives = await loadPrimitives();

async function* pieces(bytes: Uint8Array, cut: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += cut) yield bytes.subarray(i, i + cut);
}

describe("frame decoder fuzz", () => {
  it("random bytes never throw and always give a catalogued failure", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const r = await decodeFrame(primitives, bytes);
        if (!r.ok) expect(Object.keys(ERROR_CODES)).toContain(r.error.code);
      }),
      { numRuns: 2000 },
    );
  });

  it("mutated valid frames (random byte edits, cuts, extensions) never throw", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 256 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.integer({ min: -40, max: 40 }),
        async (payload, edits, resize) => {
          const frame = await encodeFrame(primitives, { sequence: 1, flags: 0, payload });
          for (const [at, value] of edits) frame[at % frame.length] = value;
          const len = Math.max(0, frame.length + resize);
          const mutated = new Uint8Array(len);
          mutated.set(frame.subarray(0, Math.min(len, frame.length)));
          const r = await decodeFrame(primitives, mutated);
          if (!r.ok) expect(Object.keys(ERROR_CODES)).toContain(r.error.code);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("a header declaring a huge payload is refused without buffering it", async () => {
    const header = new Uint8Array(24);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x43595857);
    v.setUint32(4, 1);
    v.setUint32(16, 0xfffffff0);
    const run = async () => {
      for await (const _ of splitFrames(pieces(header, 5))) throw new Error("yielded a frame");
    };
    await expect(run()).rejects.toSatisfy(
      (e: unknown) => isProtocolError(e) && e.code === "CYXW_ERR_PAYLOAD_TOO_LARGE",
    );
  });

  it("a header whose payload fits the bound but never arrives ends as truncated, without allocating it", async () => {
    const header = new Uint8Array(100);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x43595857);
    v.setUint32(4, 1);
    v.setUint32(16, 15 * 1024 * 1024);
    const run = async () => {
      for await (const _ of splitFrames(pieces(header, 7))) throw new Error("yielded a frame");
    };
    await expect(run()).rejects.toSatisfy((e: unknown) => isProtocolError(e) && e.code === "CYXW_ERR_TRUNCATED");
  });

  it("splitFrames returns each frame of a concatenation, whatever the piece sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 97 }),
        async (payloads, cut) => {
          const frames = await Promise.all(
            payloads.map((payload, i) => encodeFrame(primitives, { sequence: i, flags: 0, payload })),
          );
          const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
          let at = 0;
          for (const f of frames) {
            all.set(f, at);
            at += f.length;
          }
          const out: Uint8Array[] = [];
          for await (const f of splitFrames(pieces(all, cut))) out.push(f);
          expect(out).toEqual(frames);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("random streams into splitFrames end, never hang, and fail only with catalogued codes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), async (bytes, cut) => {
        try {
          for await (const f of splitFrames(pieces(bytes, cut))) await decodeFrame(primitives, f);
        } catch (e) {
          expect(isProtocolError(e)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
