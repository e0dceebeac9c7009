import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { TransferState, TransferStateStore } from "./transfer-state.js";

/**
 * A {@link TransferStateStore} that keeps each upload's state as a JSON file in `dir` (Node only).
 * The state holds the dataset key, so the directory is created with mode 0700 and every file is
 * written with mode 0600, to a temporary name then renamed: a crash never leaves half a state.
 * File names are the SHA-256 of the key, so any key is safe as a name.
 *
 * @example
 * const store = createJsonFileStateStore(join(homedir(), ".cyxwiz", "uploads"));
 */
export function createJsonFileStateStore(dir: string): TransferStateStore {
  const fileOf = (key: string) => join(dir, `${createHash("sha256").update(key).digest("hex")}.json`);
  let made: Promise<void> | undefined;
  const ensureDir = () => {
    made ??= mkdir(dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (e) => {
        made = undefined;
        throw e;
      },
    );
    return made;
  };
  return {
    async load(key) {
      let text: string;
      try {
        text = await readFile(fileOf(key), "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
      }
      try {
        // Shape is checked by the session (parseTransferState); a damaged file is discarded there.
        return JSON.parse(text) as TransferState;
      } catch {
        return { damaged: true } as unknown as TransferState;
      }
    },
    async save(key, state) {
      await ensureDir();
      const file = fileOf(key);
      const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(tmp, JSON.stringify(state), { mode: 0o600, flag: "wx" });
        await chmod(tmp, 0o600); // the umask cannot widen it, but an odd filesystem might
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async delete(key) {
      const file = fileOf(key);
      await rm(file, { force: true });
      // A process killed between writing a temporary file and renaming it leaves that file behind.
      const prefix = `${basename(file)}.`;
      const names = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(
        names.filter((n) => n.startsWith(prefix) && n.endsWith(".tmp")).map((n) => rm(join(dir, n), { force: true })),
      );
    },
  };
}
