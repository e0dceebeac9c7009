import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createDirectoryBlobStore } from "./directory-blob-store.js";
import { isStoreError, type StoreErrorCode } from "./store-error.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cyxwiz-blobs-"));
  dirs.push(dir);
  return dir;
}

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash("sha256").update(bytes).digest());
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
/** Byte equality without vitest's element-by-element deep equality, slow on megabytes. */
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(b);

async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreError(error), `expected a StoreError ${code}, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ name: "StoreError", code });
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("directory blob store", () => {
  it("stores a blob at <dir>/<hex[0..2]>/<hex> and gets, finds and deletes it by digest", async () => {
    const dir = await tempDir();
    const blobs = await createDirectoryBlobStore(dir);
    const bytes = randomBytes(100_000);
    const digest = sha256(bytes);
    expect(await blobs.has(digest)).toBe(false);
    expect(await blobs.get(digest)).toBeUndefined();

    await blobs.put(digest, bytes);
    expect(await filesUnder(dir)).toEqual([join(hex(digest).slice(0, 2), hex(digest))]);
    expect(await blobs.has(digest)).toBe(true);
    expect(same(await blobs.get(digest), bytes)).toBe(true);

    expect(await blobs.delete(digest)).toBe(true);
    expect(await blobs.delete(digest)).toBe(false);
    expect(await blobs.get(digest)).toBeUndefined();
    const empty = new Uint8Array(0);
    await blobs.put(sha256(empty), empty);
    expect(await blobs.get(sha256(empty))).toEqual(empty);
  });

  it("refuses bytes that do not hash to the digest, and writes nothing", async () => {
    const dir = await tempDir();
    const blobs = await createDirectoryBlobStore(dir);
    const digest = sha256(new TextEncoder().encode("the real chunk"));
    await rejectsWith(blobs.put(digest, new TextEncoder().encode("a forged chunk")), "digest_mismatch");
    expect(await blobs.has(digest)).toBe(false);
    expect(await filesUnder(dir)).toEqual([]);
    await rejectsWith(blobs.put(new Uint8Array(31), new Uint8Array()), "invalid_argument");
    await rejectsWith(blobs.get(new Uint8Array(33)), "invalid_argument");
  });

  it("with digestVerified it trusts the caller's hash, and a damaged blob is still caught on the way out", async () => {
    const dir = await tempDir();
    const blobs = await createDirectoryBlobStore(dir);
    const digest = sha256(new TextEncoder().encode("the real chunk"));
    // The caller vouches for the digest (the chunk receiver has just computed it): no second hash.
    await blobs.put(digest, new TextEncoder().encode("a lying caller's bytes"), { digestVerified: true });
    await rejectsWith(blobs.get(digest), "corrupt_blob");
  });

  it("treats putting a stored digest as a no-op, and survives concurrent puts of one digest", async () => {
    const dir = await tempDir();
    const blobs = await createDirectoryBlobStore(dir);
    const bytes = randomBytes(1 << 20);
    const digest = sha256(bytes);
    await Promise.all(Array.from({ length: 8 }, () => blobs.put(digest, bytes)));
    const path = join(dir, hex(digest).slice(0, 2), hex(digest));
    const first = await stat(path);
    await blobs.put(digest, bytes);
    expect((await stat(path)).ino).toBe(first.ino); // not rewritten
    expect(same(await blobs.get(digest), bytes)).toBe(true);
    expect(await filesUnder(dir)).toEqual([join(hex(digest).slice(0, 2), hex(digest))]); // no temp file left
  });

  it("reports a blob damaged at rest instead of returning it", async () => {
    const dir = await tempDir();
    const blobs = await createDirectoryBlobStore(dir);
    const bytes = randomBytes(4096);
    const digest = sha256(bytes);
    await blobs.put(digest, bytes);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await writeFile(join(dir, hex(digest).slice(0, 2), hex(digest)), bytes);
    await rejectsWith(blobs.get(digest), "corrupt_blob");
  });

  it("sweeps temp files a dead writer left behind, but not one being written now", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, ".tmp"));
    const stale = join(dir, ".tmp", "dead.part");
    const fresh = join(dir, ".tmp", "live.part");
    await writeFile(stale, "half a chunk");
    await writeFile(fresh, "half a chunk");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await createDirectoryBlobStore(dir);
    expect(await filesUnder(dir)).toEqual([join(".tmp", "live.part")]);
  });

  it("as the directory's only writer sweeps every temp file at open, however recent, and counts them", async () => {
    const dir = await tempDir();
    const first = await createDirectoryBlobStore(dir);
    const bytes = randomBytes(4096);
    await first.put(sha256(bytes), bytes);
    await writeFile(join(dir, ".tmp", "a.part"), "");
    await writeFile(join(dir, ".tmp", "b.part"), "");
    await mkdir(join(dir, ".tmp", "not-a-file"));
    expect((await createDirectoryBlobStore(dir)).tempFilesRemoved).toBe(0); // shared: recent ones stay
    const reopened = await createDirectoryBlobStore(dir, { exclusive: true });
    expect(reopened.tempFilesRemoved).toBe(2);
    expect(await filesUnder(dir)).toEqual([join(hex(sha256(bytes)).slice(0, 2), hex(sha256(bytes)))]);
    expect(same(await reopened.get(sha256(bytes)), bytes)).toBe(true);
  });

  it("never shows a half-written blob when the writing process is killed mid-write", async () => {
    const dir = await tempDir();
    const storeModule = fileURLToPath(new URL("./directory-blob-store.ts", import.meta.url));
    // A writer that puts 16 MiB blobs as fast as it can, until it is killed. It says when its
    // first blob is stored, so the kill lands in a later write however loaded the machine is.
    const writer = `
      import { createHash, randomBytes } from "node:crypto";
      import { createDirectoryBlobStore } from ${JSON.stringify(storeModule)};
      const blobs = await createDirectoryBlobStore(${JSON.stringify(dir)});
      for (;;) {
        const bytes = randomBytes(16 << 20);
        await blobs.put(new Uint8Array(createHash("sha256").update(bytes).digest()), bytes);
        process.stdout.write("stored\\n");
      }`;
    for (const delayMs of [40, 90, 170]) {
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", writer], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
    const blobs = await createDirectoryBlobStore(dir);
    const stored = (await filesUnder(dir)).filter((f) => !f.startsWith(".tmp"));
    expect(stored.length).toBeGreaterThan(0);
    for (const file of stored) {
      const digest = new Uint8Array(Buffer.from(file.split("/")[1] ?? "", "hex"));
      const bytes = await blobs.get(digest); // throws corrupt_blob for a partial file
      expect(bytes?.length, file).toBe(16 << 20);
    }
  });
});

describe("directory blob store: direct and buffered writes", () => {
  it("stores the same bytes either way, and leaves no temp or probe files", async () => {
    const sizes = [0, 1, 4097, 4 * 1024 * 1024 + 16];
    for (const directIo of [true, false]) {
      const contents = sizes.map((n) => randomBytes(n));
      const dir = await tempDir();
      const blobs = await createDirectoryBlobStore(dir, { directIo });
      if (!directIo) expect(blobs.directIo).toBe(false);
      await Promise.all(contents.map((bytes) => blobs.put(sha256(bytes), bytes)));
      for (const bytes of contents)
        expect(same(await blobs.get(sha256(bytes)), bytes), `directIo ${directIo}`).toBe(true);
      // a payload in the pieces it arrived in is stored as their concatenation, and checked as one
      const whole = randomBytes(70_000);
      const pieces = [whole.subarray(0, 3), whole.subarray(3, 40_000), whole.subarray(40_000)];
      await rejectsWith(blobs.put(sha256(whole.subarray(1)), pieces), "digest_mismatch");
      await blobs.put(sha256(whole), pieces);
      expect(same(await blobs.get(sha256(whole)), whole)).toBe(true);
      contents.push(whole);
      expect(await filesUnder(dir)).toEqual(
        contents.map((b) => join(hex(sha256(b)).slice(0, 2), hex(sha256(b)))).sort(),
      );
    }
  });
});
