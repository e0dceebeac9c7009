import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { encode as encodePng } from "fast-png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnistPath } from "../../../test-support/datasets.js";
import { runCli } from "./run-cli.js";

let dir: string;
let mnistPack: string;
let mnistKey: string;
const CSV_ROWS = 10_000;

/** A CSV of CSV_ROWS samples: id, a float feature, a text column and a label of 3 classes. */
function csvText(): string {
  const lines = ["id,x,name,label"];
  for (let i = 0; i < CSV_ROWS; i++)
    lines.push(`${i},${(i * 0.25).toFixed(2)},n${i % 13},${["cat", "dog", "eel"][i % 3]}`);
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-datasets-"));
  mnistPack = join(dir, "mnist");
  mnistKey = join(dir, "mnist.key");
  const r = await runCli([
    "pack",
    mnistPath("images"),
    mnistPath("labels"),
    "--out",
    mnistPack,
    "--chunk-size",
    "512KiB",
    "--compress",
    "zstd",
    "--encrypt",
    "--key-file",
    mnistKey,
    "--json",
  ]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manifestOf = async (pack: string) => JSON.parse(await readFile(join(pack, "manifest.json"), "utf8"));

describe("cyxwiz pack of datasets of samples", () => {
  it("packs MNIST (IDX images + labels) as one dataset of 10,000 samples, which verifies and unpacks to Arrow", async () => {
    const m = await manifestOf(mnistPack);
    expect(m.formatVersion).toBe(2);
    expect(m.samples.sourceFormat).toBe("idx");
    expect(Number(m.samples.numSamples)).toBe(10_000);
    expect(m.samples.labelColumn).toBe("label");
    expect(m.metadata.numChunks).toBeGreaterThan(10);
    expect(m.samples.chunkSampleCounts.reduce((a: number, b: number) => a + b, 0)).toBe(10_000);

    const v = await runCli(["verify", mnistPack, "--key-file", mnistKey, "--json"]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).decrypted).toBe(true);

    const restored = join(dir, "mnist.arrow");
    const u = await runCli(["unpack", mnistPack, "--out", restored, "--key-file", mnistKey, "--json"]);
    expect(u.code, u.stderr).toBe(0);
    expect(JSON.parse(u.stdout)).toMatchObject({ format: "arrow", samples: 10_000 });
    const table = arrow.tableFromIPC(await readFile(restored));
    expect(table.numRows).toBe(10_000);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["image", "label"]);
    // The MNIST test set's first labels are 7, 2, 1, 0, 4.
    expect([0, 1, 2, 3, 4].map((i) => table.getChild("label")!.get(i))).toEqual([7, 2, 1, 0, 4]);
  });

  it("packs a generated CSV with its label, reporting format, samples and label column", async () => {
    const csv = join(dir, "gen.csv");
    await writeFile(csv, csvText());
    const out = join(dir, "csv-pack");
    const r = await runCli(["pack", csv, "--out", out, "--chunk-size", "64KiB", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ format: "csv", samples: CSV_ROWS, labelColumn: "label", encrypted: false });
    const m = await manifestOf(out);
    expect(m.formatVersion).toBe(2);
    expect(Number(m.samples.numSamples)).toBe(CSV_ROWS);
    expect(m.samples.labelHistogram.map((l: { label: string; count: string }) => [l.label, Number(l.count)])).toEqual([
      ["cat", 3334],
      ["dog", 3333],
      ["eel", 3333],
    ]);
    expect(m.metadata.numChunks).toBe(result.numChunks);
  });

  it("packs in shard order: each hash shard a contiguous run of whole chunks", async () => {
    const csv = join(dir, "ordered.csv");
    await writeFile(csv, csvText());
    const out = join(dir, "ordered-pack");
    const r = await runCli(
      ["pack", csv, "--out", out, "--chunk-size", "16KiB", "--order", "hash", "--shards", "3", "--order-column", "id"],
      {},
    );
    expect(r.code, r.stderr).toBe(0);
    const m = await manifestOf(out);
    expect(m.samples.order.strategy).toBe("hash");
    const counts = m.samples.order.shardSampleCounts.map(Number);
    expect(counts).toHaveLength(3);
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(CSV_ROWS);
    // No chunk spans two shards: the running chunk sample counts hit every shard boundary.
    const bounds = new Set<number>();
    let at = 0;
    for (const c of m.samples.chunkSampleCounts) {
      at += c;
      bounds.add(at);
    }
    let edge = 0;
    for (const c of counts) {
      edge += c;
      expect(bounds.has(edge)).toBe(true);
    }
  });

  it("packs an image folder given as a directory: sub-folders are the labels", async () => {
    const folder = join(dir, "pets");
    for (const [label, n] of [
      ["cats", 3],
      ["dogs", 2],
    ] as const) {
      await mkdir(join(folder, label), { recursive: true });
      for (let i = 0; i < n; i++) {
        const data = new Uint8Array(16).fill(label === "cats" ? 10 * i : 200);
        await writeFile(join(folder, label, `${i}.png`), encodePng({ width: 4, height: 4, data, channels: 1 }));
      }
    }
    const out = join(dir, "pets-pack");
    const r = await runCli(["pack", folder, "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "images", samples: 5, labelColumn: "label" });
    const p = await runCli(["preview", out, "--json"]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).labelHistogram).toEqual([
      { label: "cats", count: 3 },
      { label: "dogs", count: 2 },
    ]);
  });

  it("packs one file no format recognises as opaque bytes, and says so", async () => {
    const blob = join(dir, "blob.bin");
    await writeFile(blob, Buffer.from([0, 1, 2, 255, 254, 0, 7, 9, 0, 0, 0, 3]));
    const out = join(dir, "blob-pack");
    const r = await runCli(["pack", blob, "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("taking it as an opaque file");
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "opaque", samples: null });
    expect((await manifestOf(out)).formatVersion).toBe(1);
  });
});

describe("cyxwiz scan", () => {
  it("finds planted emails and card numbers and prints exactly the report's JSON shape", async () => {
    const csv = join(dir, "people.csv");
    const rows = ["id,contact,card,note"];
    for (let i = 0; i < 200; i++) {
      const contact = i % 4 === 0 ? `person${i}@example.com` : `desk ${i}`;
      const card = i % 10 === 0 ? "4111 1111 1111 1111" : `${1000 + i}`;
      rows.push(`${i},${contact},${card},plain text ${i}`);
    }
    await writeFile(csv, `${rows.join("\n")}\n`);
    const r = await runCli(["scan", csv, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(["columns", "suggestedClassification"]);
    expect(report.columns.map((c: { name: string }) => c.name)).toEqual(["id", "contact", "card", "note"]);
    const contact = report.columns[1];
    expect(contact.findings).toEqual([{ type: "email", count: 50, rate: 0.25, examples: [0, 4, 8, 12, 16] }]);
    const card = report.columns[2].findings.find((f: { type: string }) => f.type === "credit_card");
    expect(card).toMatchObject({ count: 20, rate: 0.1, examples: [0, 10, 20, 30, 40] });
    for (const c of report.columns)
      for (const f of c.findings) expect(Object.keys(f).sort()).toEqual(["count", "examples", "rate", "type"]);
    expect(report.suggestedClassification).toBe("restricted");

    const human = await runCli(["scan", csv]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/contact\s+email\s+50\s+25\.0%/);
  });

  it("exits 0 with nothing found, and reports a custom pattern", async () => {
    const csv = join(dir, "clean.csv");
    await writeFile(csv, "id,staff\n1,E123456\n2,none\n3,E654321\n");
    const clean = await runCli(["scan", csv, "--json"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout).columns.every((c: { findings: unknown[] }) => c.findings.length === 0)).toBe(true);
    const custom = await runCli(["scan", csv, "--pattern", "employee_id=^E\\d{6}$", "--json"]);
    expect(custom.code, custom.stderr).toBe(0);
    expect(JSON.parse(custom.stdout).columns[1].findings).toEqual([
      { type: "employee_id", count: 2, rate: 2 / 3, examples: [0, 2] },
    ]);
  });
});

describe("cyxwiz shard", () => {
  it("shards the encrypted MNIST pack class-balanced into 4 disjoint, covering shards near the global ratio", async () => {
    const r = await runCli([
      "shard",
      mnistPack,
      "--strategy",
      "class-balanced",
      "--shards",
      "4",
      "--key-file",
      mnistKey,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.samples).toBe(10_000);
    expect(report.shards).toHaveLength(4);
    const m = await manifestOf(mnistPack);
    const global = new Map<string, number>(
      m.samples.labelHistogram.map((l: { label: string; count: string }) => [l.label, Number(l.count)]),
    );
    const covered = new Uint8Array(10_000);
    for (const s of report.shards) {
      let count = 0;
      for (const [a, b] of s.indices as [number, number][]) {
        for (let i = a; i < b; i++) covered[i]! += 1;
        count += b - a;
      }
      expect(count).toBe(s.count);
      for (const [label, total] of global) expect(Math.abs((s.labels[label] ?? 0) - total / 4)).toBeLessThanOrEqual(1);
      expect(s.chunks.length).toBeGreaterThan(0);
      const stored = (s.chunks as number[]).reduce((a, c) => a + m.storedSizes[c], 0);
      expect(s.bytes).toBe(stored);
    }
    expect(covered.every((c) => c === 1)).toBe(true);
  });
});

describe("cyxwiz preview", () => {
  it("previews a pack from its first chunk: schema, rows, stats and label histogram", async () => {
    const r = await runCli(["preview", mnistPack, "--rows", "3", "--key-file", mnistKey, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.samples).toBe(10_000);
    expect(p.schema).toEqual([
      { name: "image", arrowType: "FixedSizeList[784]<Uint8>", role: "feature", dtype: "uint8", shape: [28, 28] },
      { name: "label", arrowType: "Uint8", role: "label", dtype: "uint8" },
    ]);
    expect(p.rows.rows).toEqual([
      ["uint8[28×28]", "7"],
      ["uint8[28×28]", "2"],
      ["uint8[28×28]", "1"],
    ]);
    const m = await manifestOf(mnistPack);
    // Statistics cover the first chunk only.
    expect(p.stats[1]).toMatchObject({ name: "label", min: 0, max: 9, count: m.samples.chunkSampleCounts[0] });
    expect(p.labelHistogram.reduce((a: number, l: { count: number }) => a + l.count, 0)).toBe(10_000);
    const text = await runCli(["preview", mnistPack, "--key-file", mnistKey]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/1 #+ 1135/);
  });

  it("previews a CSV file whole", async () => {
    const csv = join(dir, "preview.csv");
    await writeFile(csv, "a,b,label\n1,x,yes\n2,,no\n3,z,yes\n");
    const r = await runCli(["preview", csv, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.samples).toBe(3);
    expect(p.schema.map((c: { name: string; role: string }) => [c.name, c.role])).toEqual([
      ["a", "feature"],
      ["b", "feature"],
      ["label", "label"],
    ]);
    expect(p.rows.rows[0]).toEqual(["1", "x", "yes"]);
    expect(p.stats[0]).toMatchObject({ name: "a", min: 1, max: 3, mean: 2, distinct: 3, nulls: 0 });
    expect(p.labelHistogram).toEqual([
      { label: "no", count: 1 },
      { label: "yes", count: 2 },
    ]);
  });
});

describe("cyxwiz help", () => {
  it("describes scan, shard and preview, and pack's formats", async () => {
    for (const cmd of ["scan", "shard", "preview"]) {
      const help = await runCli([cmd, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: cyxwiz ${cmd}`);
    }
    const pack = await runCli(["pack", "--help"]);
    expect(pack.stdout.replace(/\s+/g, " ")).toContain(
      'choices: "auto", "opaque", "csv", "tsv", "parquet", "jsonl", "npy", "idx", "images"',
    );
    expect(pack.stdout).toContain("--order-column");
  });
});
