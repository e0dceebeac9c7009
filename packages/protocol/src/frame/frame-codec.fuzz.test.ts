/**
 * The slow frame fuzz (npm run test:fuzz; docs/testing.md, "Fuzzing"): decodeFrame,
 * decodeFramePieces and splitFrames against the spec over generated inputs, seeded. A failure
 * prints the entry to pin in frame-fuzz-regressions.json, which the fast suite replays.
 */
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, it } from "vitest";
import { assertFuzz } from "../../../../test-support/fuzz.js";
import {
  buildClaim,
  buildFrame,
  type ClaimRecipe,
  checkFrameCase,
  checkStreamCase,
  claimRecipeArb,
  cutsArb,
  type FrameCase,
  type FrameRecipe,
  frameRecipeArb,
  maxPayloadArb,
  pinFrameCase,
  pinStreamCase,
  randomCaseArb,
} from "../../test-support/frame-fuzz.js";

const p = await loadPrimitives();
const corpus = "packages/protocol/src/frame/frame-fuzz-regressions.json";

describe("frame decoders, fuzzed", () => {
  it("random bytes: the decoders agree with the spec and each other, never throw, allocate nothing the input does not hold", async () => {
    await assertFuzz(
      fc.asyncProperty(randomCaseArb, async (c) => void (await checkFrameCase(p, c))),
      { property: "frame: random bytes", corpus, pin: (c) => pinFrameCase(p, c, "random bytes (fuzz)") },
    );
  });

  it("mutated valid frames (bit flips, cuts, extensions, tampered header fields, fixed-up FCS and checksum) in random pieces", async () => {
    const build = async (r: FrameRecipe): Promise<FrameCase> => ({
      bytes: await buildFrame(p, r),
      cuts: r.cuts,
      maxPayloadBytes: r.maxPayloadBytes,
    });
    await assertFuzz(
      fc.asyncProperty(frameRecipeArb(4), async (r) => void (await checkFrameCase(p, await build(r)))),
      {
        property: "frame: mutated valid frames",
        corpus,
        pin: async (r) => pinFrameCase(p, await build(r), "mutated frame (fuzz)"),
      },
    );
  });

  it("headers claiming any payload_size up to 4 GiB, under any bound, are refused or truncated before anything is allocated", async () => {
    const build = (r: ClaimRecipe): FrameCase => ({
      bytes: buildClaim(r),
      cuts: r.cuts,
      maxPayloadBytes: r.maxPayloadBytes,
    });
    await assertFuzz(
      fc.asyncProperty(claimRecipeArb, async (r) => void (await checkFrameCase(p, build(r)))),
      { property: "frame: header claims", corpus, pin: (r) => pinFrameCase(p, build(r), "header claim (fuzz)") },
    );
  });

  it("splitFrames over concatenations of valid, mutated and over-claiming frames, in any pieces, splits as the spec says", async () => {
    const stream = fc.record({
      frames: fc.array(fc.oneof(frameRecipeArb(0), frameRecipeArb(2), claimRecipeArb), {
        minLength: 1,
        maxLength: 5,
      }),
      cuts: cutsArb,
      maxPayloadBytes: maxPayloadArb,
    });
    type Recipe = typeof stream extends fc.Arbitrary<infer T> ? T : never;
    const build = async (r: Recipe) => {
      const parts = await Promise.all(r.frames.map((f) => ("tail" in f ? buildClaim(f) : buildFrame(p, f))));
      const all = new Uint8Array(parts.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of parts) {
        all.set(f, at);
        at += f.length;
      }
      return { stream: all, cuts: r.cuts, maxPayloadBytes: r.maxPayloadBytes };
    };
    await assertFuzz(
      fc.asyncProperty(stream, async (r) => void (await checkStreamCase(await build(r)))),
      {
        property: "frame: split streams",
        corpus,
        pin: async (r) => pinStreamCase(await build(r), "stream (fuzz)"),
      },
    );
  });
});
