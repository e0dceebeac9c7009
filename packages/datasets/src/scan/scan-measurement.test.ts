import { tableFromArrays } from "apache-arrow";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { createSeededRandom } from "../anonymize/seeded-random.js";
import { BUILT_IN_FINDING_TYPES, type BuiltInFindingType } from "./detector-registry.js";
import { luhnCheckDigit } from "./luhn.js";
import { scanTable } from "./scanner.js";
import { createValueDetector } from "./value-detector.js";

// The measurement docs/personal-data.md reports: a seeded CSV with planted values of each type
// and look-alikes of each, scanned cell by cell; precision and recall per type.
const ROWS = 3000;
const SEED = 20261202;
const FLOOR = 0.95;

type Truth = readonly BuiltInFindingType[];
interface Cell {
  readonly text: string;
  readonly truth: Truth;
}

function makeGenerators(random: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join("");
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  const words = ["ann", "bob", "chen", "dara", "eli", "fatima", "goran", "hana", "ivo", "jules"];
  const domains = ["example.com", "mail.example.org", "uni.edu", "corp-mail.io", "post.example.co.uk"];

  const area = () => {
    for (;;) {
      const a = int(200, 999);
      if (a % 100 !== 11) return String(a);
    }
  };
  const nanp = () => [area(), String(int(200, 999)), pad(int(0, 9999), 4)] as const;
  const luhnNumber = (prefix: string, length: number) => {
    const payload = prefix + digits(length - prefix.length - 1);
    return payload + luhnCheckDigit(payload);
  };
  const card = () =>
    pick([
      () => luhnNumber("4", 16),
      () => luhnNumber(String(int(51, 55)), 16),
      () => luhnNumber(pick(["34", "37"]), 15),
      () => luhnNumber("6011", 16),
      () => luhnNumber(String(int(2221, 2720)), 16),
    ])();
  const groupCard = (number: string, separator: string) => {
    const groups: string[] = [];
    let start = 0;
    for (const size of number.length === 15 ? [4, 6, 5] : [4, 4, 4, 4]) {
      groups.push(number.slice(start, start + size));
      start += size;
    }
    return groups.join(separator);
  };
  const ssnParts = () => {
    for (;;) {
      const a = int(1, 899);
      if (a !== 666) return [pad(a, 3), pad(int(1, 99), 2), pad(int(1, 9999), 4)] as const;
    }
  };
  const ipv6 = () => {
    const groups = Array.from({ length: 8 }, () => int(0, 0xffff).toString(16));
    const form = int(0, 2);
    if (form === 0) return groups.join(":");
    if (form === 1) return `${groups.slice(0, 3).join(":")}::${groups.slice(6).join(":")}`;
    return `::ffff:${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
  };

  /** Values of each type in the forms people write them; `bare` adds the bare-digit forms. */
  const planted: Record<BuiltInFindingType, (bare: boolean) => string> = {
    email: () => {
      const local = pick([
        () => `${pick(words)}.${pick(words)}`,
        () => `${pick(words)}${int(1, 999)}`,
        () => `${pick(words)}+${pick(["news", "work"])}`,
        () => pick(words).toUpperCase(),
        () => `${pick(words)}.${pick(words)}`,
        () => `${pick(words)}${int(1, 99)}`,
      ])();
      // Internationalised addresses (RFC 6531) are not recognised; a few are planted anyway.
      return int(0, 49) === 0 ? `josé.${local}@exämple.com` : `${local}@${pick(domains)}`;
    },
    phone: (bare) => {
      const [a, e, l] = nanp();
      const forms = [
        `(${a}) ${e}-${l}`,
        `${a}-${e}-${l}`,
        `${a}.${e}.${l}`,
        `+1 ${a} ${e} ${l}`,
        `+1-${a}-${e}-${l}`,
        `+${pick(["44", "33", "49", "61"])} ${int(1, 99)} ${digits(4)} ${digits(4)}`,
        `${a}-${e}-${l} x${int(10, 999)}`,
        `+44 (0)20 ${digits(4)} ${digits(4)}`,
        `${a} ${e} ${l}`,
      ];
      return pick(bare ? [...forms, `${a}${e}${l}`, `${a}${e}${l}`] : forms);
    },
    ssn: (bare) => {
      const [a, g, s] = ssnParts();
      return pick(bare ? [`${a}-${g}-${s}`, `${a} ${g} ${s}`, `${a}${g}${s}`] : [`${a}-${g}-${s}`, `${a} ${g} ${s}`]);
    },
    credit_card: (bare) => {
      const n = card();
      return pick(bare ? [groupCard(n, " "), groupCard(n, "-"), n] : [groupCard(n, " "), groupCard(n, "-")]);
    },
    ip: () =>
      pick([
        () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
        () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}:${int(1024, 65535)}`,
        ipv6,
        () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
        () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
        () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
        () => `${pad(int(10, 99), 3)}.${pad(int(0, 9), 3)}.${pad(int(0, 9), 3)}.${pad(int(1, 9), 3)}`, // zero-padded
      ])(),
  };

  /** Look-alikes of each type: none of them is personal data of any type. */
  const lookalikes: Record<BuiltInFindingType, () => string> = {
    email: () =>
      pick([
        `${pick(words)} at example dot com`,
        `${pick(words)}@localhost`,
        `@${pick(words)}${int(1, 99)}`,
        `${pick(words)}@${pick(words)}`,
        `${pick(words)}@${int(1, 255)}.${int(0, 255)}`,
        `${pick(words)}..${pick(words)}@example.com`,
      ]),
    phone: () => {
      const y = int(1990, 2030);
      const m = pad(int(1, 12), 2);
      const d = pad(int(1, 28), 2);
      const [a, e, l] = nanp();
      return pick([
        `${y}-${m}-${d}`,
        `${d}/${m}/${y}`,
        `${m}.${d}.${y}`,
        `${y}${m}${d}${pad(int(0, 23), 2)}`,
        `INV-${a}-${e}-${l}`,
        `#${a}${e}${l}`,
        `ORD-${y}-${digits(6)}`,
        `${a}-${int(100, 199)}-${l}`, // an exchange cannot start with 1
        `${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}`,
      ]);
    },
    ssn: () => {
      const [, g, s] = ssnParts();
      return pick([
        `000-${g}-${s}`,
        `666-${g}-${s}`,
        `${int(900, 999)}-${g}-${s}`,
        `${pad(int(1, 665), 3)}-00-${s}`,
        `${pad(int(1, 665), 3)}-${g}-0000`,
        `${digits(5)}-${digits(4)}`, // a ZIP+4 code
      ]);
    },
    credit_card: () => {
      const n = card();
      const broken = n.slice(0, -1) + String((Number(n.at(-1)) + int(1, 9)) % 10); // fails Luhn
      return pick([
        broken,
        groupCard(broken, " "),
        `INV-${n}`,
        `4${digits(15)}`, // a 16-digit order number; one in ten passes Luhn by chance
        `9${n.slice(1, -1)}${luhnCheckDigit(`9${n.slice(1, -1)}`)}`, // Luhn-valid, no such issuer
        n.slice(0, 11),
      ]);
    },
    ip: () =>
      pick([
        `${int(256, 999)}.${int(256, 999)}.${int(256, 999)}.${int(256, 999)}`,
        `${int(1, 9)}.${int(0, 20)}.${int(0, 20)}.${int(0, 20)}.${int(0, 20)}`,
        `v${int(1, 9)}.${int(0, 20)}.${int(0, 20)}.${int(0, 20)}`,
        Array.from({ length: 6 }, () => pad(int(0, 255), 2).replace(/^(\d)$/, "0$1")).join(":"),
        `${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}`,
        "300.400.500.600",
        `${int(10, 99)}.0${int(0, 9)}.${int(0, 9)}.${int(1, 9)}`, // padded unevenly
        `Build ${int(1, 9)}.${int(0, 20)}.${int(0, 20)}.${int(0, 20)}`,
        `version ${int(1, 9)}.${int(0, 20)}.${int(0, 20)}.${int(0, 20)}`,
      ]),
  };

  return { int, pick, digits, planted, lookalikes };
}

/** The rows as a CSV text and the truth of each cell. */
function plantedCsv(): { csv: string; truth: Map<string, Truth[]> } {
  const g = makeGenerators(createSeededRandom(SEED));
  const hinted: Record<BuiltInFindingType, string> = {
    email: "email",
    phone: "phone",
    ssn: "ssn",
    credit_card: "card_number",
    ip: "ip_address",
  };
  const rows: Record<string, Cell>[] = Array.from({ length: ROWS }, () => {
    const row: Record<string, Cell> = {};
    for (const type of BUILT_IN_FINDING_TYPES) {
      row[hinted[type]] =
        g.int(0, 9) < 6 ? { text: g.planted[type](true), truth: [type] } : { text: g.lookalikes[type](), truth: [] };
    }
    // Free text: up to two items, each a planted value (written form) or a look-alike.
    const items = Array.from({ length: g.int(0, 2) }, () => {
      const type = g.pick(BUILT_IN_FINDING_TYPES);
      return g.int(0, 1) === 0
        ? { text: g.planted[type](false), truth: [type] }
        : { text: g.lookalikes[type](), truth: [] };
    });
    const filler = ["Customer called about", "See", "Paid on account, ref", "Logged from", "Note:"];
    row.notes = {
      text: items.map((item) => `${g.pick(filler)} ${item.text}`).join("; ") || "no remarks",
      truth: [...new Set(items.flatMap((item) => item.truth))],
    };
    // Neutral columns: digit runs of ids and invoice numbers, never personal data.
    row.ref = { text: g.digits(g.pick([9, 10, 16])), truth: [] };
    row.invoice = { text: `INV-${g.digits(g.pick([8, 10, 16]))}`, truth: [] };
    return row;
  });
  const names = Object.keys(rows[0]!);
  const csv = Papa.unparse({ fields: names, data: rows.map((r) => names.map((n) => r[n]!.text)) });
  return { csv, truth: new Map(names.map((n) => [n, rows.map((r) => r[n]!.truth)])) };
}

describe("scan precision and recall on a planted CSV", () => {
  it(`finds each type with precision and recall ≥ ${FLOOR}`, () => {
    const { csv, truth } = plantedCsv();
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const names = parsed.meta.fields!;
    const table = tableFromArrays(Object.fromEntries(names.map((n) => [n, parsed.data.map((r) => r[n]!)])));
    expect(table.numRows).toBe(ROWS);

    const detector = createValueDetector();
    const tally = Object.fromEntries(BUILT_IN_FINDING_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
    const perColumnCounts = new Map<string, Map<string, number>>();
    for (const name of names) {
      const hints = detector.hintsFor(name);
      const vector = table.getChild(name)!;
      const counts = new Map<string, number>();
      perColumnCounts.set(name, counts);
      for (let row = 0; row < ROWS; row++) {
        const found = new Set(detector.detect(vector.get(row) as string, hints));
        const expected = new Set(truth.get(name)![row]);
        for (const type of BUILT_IN_FINDING_TYPES) {
          const t = tally[type]!;
          if (found.has(type) && expected.has(type)) t.tp++;
          else if (found.has(type)) t.fp++;
          else if (expected.has(type)) t.fn++;
          if (found.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
        }
      }
    }

    const figures = BUILT_IN_FINDING_TYPES.map((type) => {
      const { tp, fp, fn } = tally[type]!;
      return { type, planted: tp + fn, found: tp + fp, tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn) };
    });
    console.log(
      [
        `scan measurement: ${ROWS} rows × ${names.length} columns, seed ${SEED}`,
        "type        | planted | found |   TP |  FP |  FN | precision | recall",
        ...figures.map(
          (f) =>
            `${f.type.padEnd(11)} | ${String(f.planted).padStart(7)} | ${String(f.found).padStart(5)} | ${String(f.tp).padStart(4)} | ${String(f.fp).padStart(3)} | ${String(f.fn).padStart(3)} | ${f.precision.toFixed(4).padStart(9)} | ${f.recall.toFixed(4)}`,
        ),
      ].join("\n"),
    );
    for (const f of figures) {
      expect(f.planted, f.type).toBeGreaterThan(400);
      expect(f.precision, `${f.type} precision`).toBeGreaterThanOrEqual(FLOOR);
      expect(f.recall, `${f.type} recall`).toBeGreaterThanOrEqual(FLOOR);
    }

    // The streaming report counts exactly what the cell-by-cell run found.
    const report = scanTable(table);
    for (const column of report.columns) {
      const expected = Object.fromEntries(perColumnCounts.get(column.name)!);
      expect(Object.fromEntries(column.findings.map((f) => [f.type, f.count])), column.name).toEqual(expected);
    }
    expect(report.columns.find((c) => c.name === "ref")!.findings).toEqual([]);
    expect(report.suggestedClassification).toBe("restricted");
  });
});
