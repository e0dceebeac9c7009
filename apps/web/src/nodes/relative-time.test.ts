import { describe, expect, it } from "vitest";
import { relativeTime } from "./relative-time.js";

describe("relativeTime", () => {
  const now = new Date("2026-12-02T08:00:00Z");
  const ago = (s: number) => relativeTime(new Date(now.getTime() - s * 1000), now);
  it("says how long ago, in the largest unit that fits", () => {
    expect([ago(-3), ago(2), ago(42), ago(300), ago(3 * 3600), ago(3 * 86_400)]).toEqual([
      "just now",
      "just now",
      "42 s ago",
      "5 min ago",
      "3 h ago",
      "3 d ago",
    ]);
  });
});
