import { Float64 } from "apache-arrow";
import { AnonymizeError } from "./anonymize-error.js";
import type { ColumnOperator } from "./operator.js";
import { paramsObject } from "./operator.js";
import { positiveParam } from "./params-error.js";

/** `noise` parameters: the Laplace mechanism's scale is `sensitivity / epsilon`. */
export interface NoiseParams {
  /** How much one person can change the value (its L1 sensitivity), above 0. */
  readonly sensitivity: number;
  /** The privacy budget per value, above 0: smaller is more private and noisier. */
  readonly epsilon: number;
}

/**
 * One draw of Laplace(0, scale) by inverse transform: u uniform in (-1/2, 1/2),
 * x = -scale · sign(u) · ln(1 - 2|u|). A draw of exactly 0 from `random` is redrawn (ln 0).
 */
export function laplaceSample(scale: number, random: () => number): number {
  let r = random();
  while (r === 0) r = random();
  const u = r - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** `noise`: each number plus Laplace noise of scale sensitivity/epsilon; the result is Float64. */
export const noiseOperator: ColumnOperator<NoiseParams> = {
  checkParams(params, where) {
    const p = paramsObject(params, where);
    return { sensitivity: positiveParam(p, "sensitivity", where), epsilon: positiveParam(p, "epsilon", where) };
  },
  apply(column, { sensitivity, epsilon }, { random, where }) {
    const scale = sensitivity / epsilon;
    const values = column.values.map((v, row) => {
      if (v === null) return null;
      const n = typeof v === "bigint" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isFinite(n)) {
        throw new AnonymizeError(
          "CYXW_ANON_VALUE",
          `${where}, row ${row}: ${JSON.stringify(String(v))} is not a number`,
        );
      }
      return n + laplaceSample(scale, random);
    });
    return { values, type: new Float64() };
  },
};
