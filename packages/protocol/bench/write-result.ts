import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The repository's bench/results directory. */
export const resultsDir = fileURLToPath(new URL("../../../bench/results/", import.meta.url));

/** Writes one benchmark's results as JSON, stamped with the time and machine. */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = `${resultsDir}${name}.json`;
  const os = await import("node:os");
  const stamped = {
    name,
    measuredAt: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    ...result,
  };
  await writeFile(path, `${JSON.stringify(stamped, null, 2)}\n`);
  return path;
}
