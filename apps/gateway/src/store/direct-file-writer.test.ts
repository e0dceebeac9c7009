import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDirectFileWriter } from "./direct-file-writer.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * File systems known to take O_DIRECT (statfs f_type magic numbers). Whether others do depends on
 * the kernel (tmpfs takes it since Linux 6.6; it does here), so only these are asserted.
 */
const TAKES_DIRECT = new Set([0xef53 /* ext2/3/4 */, 0x58465342 /* xfs */, 0x9123683e /* btrfs */]);

describe("direct file writer", () => {
  it("is available where the file system takes O_DIRECT, and leaves no probe file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-direct-"));
    dirs.push(dir);
    const { type } = await statfs(dir);
    const writer = await openDirectFileWriter(dir);
    if (TAKES_DIRECT.has(type)) expect(writer).toBeDefined();
    expect(await readdir(dir)).toEqual([]); // the probe file is gone
  });

  it("writes files of any length byte for byte, including partial last blocks, concurrently", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-direct-"));
    dirs.push(dir);
    const writer = await openDirectFileWriter(dir);
    if (writer === undefined) return expect((await statfs(dir)).type).not.toBe(0xef53);
    const sizes = [0, 1, 4095, 4096, 4097, 4 * 1024 * 1024 + 16, 9 * 1024 * 1024 + 123];
    const contents = sizes.map((n) => randomBytes(n));
    // each written in two pieces, as a frame payload arrives in fragments
    await Promise.all(
      contents.map((bytes, i) =>
        writer.write(join(dir, `f${i}`), [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)]),
      ),
    );
    for (const [i, bytes] of contents.entries()) {
      const back = await readFile(join(dir, `f${i}`));
      expect(back.length).toBe(bytes.length);
      expect(back.equals(bytes)).toBe(true);
      expect((await stat(join(dir, `f${i}`))).size).toBe(bytes.length);
    }
    // a file that exists is never overwritten
    await expect(writer.write(join(dir, "f1"), [randomBytes(10)])).rejects.toMatchObject({ code: "EEXIST" });
    expect((await readFile(join(dir, "f1"))).equals(contents[1]!)).toBe(true);
  });
});
