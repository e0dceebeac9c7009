import { describe, expect, it } from "vitest";
import { checkSameFile, checkSameFiles, describeTimes, fileIdentityOf } from "./file-identity.js";

const saved = { name: "train.csv", size: 20_000_000, lastModified: Date.UTC(2026, 10, 24, 9, 30) };

describe("checkSameFile", () => {
  it("accepts the same name, size and modification time", () => {
    expect(checkSameFile(saved, { ...saved })).toEqual({ ok: true });
  });

  it("refuses a file with another name, naming both", () => {
    const r = checkSameFile(saved, { ...saved, name: "test.csv" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('its name is "test.csv", not "train.csv"');
  });

  it("refuses a file of another size even with the same name", () => {
    const r = checkSameFile(saved, { ...saved, size: 19_999_999 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain("19999999 bytes");
  });

  it("refuses a file modified since, with both times in UTC", () => {
    const r = checkSameFile(saved, { ...saved, lastModified: saved.lastModified + 60_000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain("2026-11-24 09:31:00 UTC");
      expect(r.message).toContain("2026-11-24 09:30:00 UTC");
    }
  });
});

describe("checkSameFile on times alone", () => {
  it("says only the modification time differs, with the date", () => {
    const r = checkSameFile(saved, { ...saved, lastModified: saved.lastModified + 86_400_000 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(
        "same name and size but a different modification time (2026-11-25 09:30:00 UTC vs 2026-11-24 09:30:00 UTC",
      );
    }
  });

  it("shows milliseconds when the two times fall in the same second, never the same text twice", () => {
    const r = checkSameFile(saved, { ...saved, lastModified: saved.lastModified + 427 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain("(2026-11-24 09:30:00.427 UTC vs 2026-11-24 09:30:00.000 UTC");
  });

  it("names a time difference alongside a size difference", () => {
    const r = checkSameFile(saved, { ...saved, size: 1, lastModified: saved.lastModified + 5 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.message).toContain("last modified 2026-11-24 09:30:00.005 UTC, not 2026-11-24 09:30:00.000 UTC");
  });
});

describe("describeTimes", () => {
  it("falls back to raw milliseconds for times that are not dates", () => {
    expect(describeTimes(Number.NaN, 5)[0]).toBe("NaN");
  });
});

describe("fileIdentityOf", () => {
  it("keeps only the three identifying fields", () => {
    const file = { ...saved, type: "text/csv", slice: () => undefined };
    expect(fileIdentityOf(file)).toEqual(saved);
  });
});

describe("checkSameFiles: a dataset of several files resumes only with all of them, unchanged", () => {
  const images = { name: "t10k-images-idx3-ubyte.gz", size: 1_648_877, lastModified: 1_700_000_000_000 };
  const labels = { name: "t10k-labels-idx1-ubyte.gz", size: 4_542, lastModified: 1_700_000_000_000 };

  it("accepts the same files in any order", () => {
    expect(checkSameFiles([images, labels], [labels, images])).toEqual({ ok: true });
  });

  it("refuses a missing, an extra or a changed file, naming it", () => {
    const missing = checkSameFiles([images, labels], [images]);
    expect(missing.ok === false && missing.message).toMatch(/2 files .*missing: "t10k-labels-idx1-ubyte.gz"/);
    const extra = checkSameFiles([images, labels], [images, labels, { ...labels, name: "x" }]);
    expect(extra.ok).toBe(false);
    const changed = checkSameFiles([images, labels], [images, { ...labels, size: 4_543 }]);
    expect(changed.ok === false && changed.message).toMatch(/\(4543 bytes\), not .*\(4542 bytes\)/);
  });

  it("is checkSameFile for one file", () => {
    expect(checkSameFiles([images], [{ ...images, name: "other.gz" }])).toMatchObject({ ok: false });
    expect(checkSameFiles([images], [images])).toEqual({ ok: true });
  });
});
