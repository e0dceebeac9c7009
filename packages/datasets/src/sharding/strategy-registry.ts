import { ShardingError } from "./sharding-error.js";
import type { ShardingStrategy } from "./sharding-strategy.js";
import { classBalancedStrategy } from "./strategies/class-balanced-strategy.js";
import { customStrategy } from "./strategies/custom-strategy.js";
import { featureStrategy } from "./strategies/feature-strategy.js";
import { hashStrategy } from "./strategies/hash-strategy.js";
import { sampleStrategy } from "./strategies/sample-strategy.js";

/**
 * The registry of sharding strategies (seed §6.2), one line each: the one list of strategy names.
 * The CLI's flags, the dashboard's options and stored job specs use STRATEGY_NAMES from here;
 * adding a strategy is a file in strategies/ plus a line below.
 */
const STRATEGIES = {
  sample: sampleStrategy,
  "class-balanced": classBalancedStrategy,
  hash: hashStrategy,
  feature: featureStrategy,
  custom: customStrategy,
} as const satisfies Record<string, ShardingStrategy>;

export type StrategyName = keyof typeof STRATEGIES;

/** Every strategy name, `sample` (the default) first. */
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as readonly StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGIES, name);
}

/**
 * The strategy called `name`.
 *
 * @throws ShardingError CYXW_ERR_SHARD_STRATEGY for a name not in the registry.
 */
export function strategyNamed(name: string): ShardingStrategy {
  if (!isStrategyName(name)) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_STRATEGY",
      `unknown sharding strategy ${JSON.stringify(name)}; expected one of ${STRATEGY_NAMES.join(", ")}`,
    );
  }
  return STRATEGIES[name];
}
