/**
 * Replays the pinned frame fuzz cases (frame-fuzz-regressions.json) on every run, in Node and
 * Chromium: each must still give the verdict the spec gives it, through every check of the slow
 * fuzz (decoders agree, no throw, re-encoding, bounded allocation). docs/testing.md, "Fuzzing".
 */
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import {
  checkFrameCase,
  checkStreamCase,
  frameCaseOfPinned,
  type PinnedFrameCase,
  type PinnedStreamCase,
  streamCaseOfPinned,
} from "../../test-support/frame-fuzz.js";
import { ERROR_CODES } from "../errors/error-codes.js";
import corpus from "./frame-fuzz-regressions.json";

const p = await loadPrimitives();
const frames = corpus.frames as PinnedFrameCase[];
const streams = corpus.streams as PinnedStreamCase[];
const verdicts = ["ok", "end", ...Object.keys(ERROR_CODES)];

describe("pinned frame fuzz cases", () => {
  it.each(frames)("$name → $expect", async (entry) => {
    expect(verdicts).toContain(entry.expect);
    expect(await checkFrameCase(p, frameCaseOfPinned(entry))).toBe(entry.expect);
  });

  it.each(streams)("splitFrames: $name", async (entry) => {
    expect(verdicts).toContain(entry.expect.end);
    expect(await checkStreamCase(streamCaseOfPinned(entry))).toEqual(entry.expect);
  });
});
