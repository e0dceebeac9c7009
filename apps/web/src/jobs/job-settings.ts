import type { JobSpec } from "@cyxwiz/protocol/gen";

/** One line of the job page's Settings list: what it is, its value in words, a stable key for tests. */
export interface JobSetting {
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The aggregation rule with its parameters: "trimmed-mean, trimming 10% at each end". */
function aggregationWords(spec: JobSpec): string {
  const a = spec.aggregation;
  if (a === undefined || a.rule === "") return "fedavg";
  const parts = [a.rule];
  if (a.rule === "trimmed-mean") parts.push(`trimming ${(a.trimFraction * 100).toFixed(0)}% at each end`);
  if (a.rule === "krum") parts.push(`tolerating ${plural(a.byzantine, "Byzantine update")}`);
  if (a.maxNormRatio > 0) parts.push(`rejecting norms above ${a.maxNormRatio}× the median`);
  return parts.join(", ");
}

/**
 * The settings a job runs with, as the gateway stored them (every default filled in,
 * docs/compute.md "Jobs"), in words for the job page: what the owner chose on the form or the
 * CLI, and what the gateway chose for them.
 */
export function jobSettings(spec: JobSpec): JobSetting[] {
  const local =
    spec.localWork.case === "localSteps"
      ? plural(spec.localWork.value, "step")
      : plural(spec.localWork.value ?? 1, "epoch");
  const serverLr = spec.aggregation?.serverLearningRate ?? 0;
  const workers =
    spec.minWorkers === spec.maxWorkers ? String(spec.minWorkers) : `${spec.minWorkers} to ${spec.maxWorkers}`;
  return [
    { key: "optimizer", label: "Optimizer", value: `${spec.optimizer}, learning rate ${spec.learningRate}` },
    { key: "batch", label: "Batch size", value: String(spec.batchSize) },
    { key: "local", label: "Local work per round", value: local },
    {
      key: "sharding",
      label: "Sharding",
      value: `${spec.shardingStrategy}${spec.shardingColumn === "" ? "" : ` on ${spec.shardingColumn}`}, seed ${spec.shardingSeed}`,
    },
    { key: "workers", label: "Workers", value: workers },
    {
      key: "close",
      label: "A round closes",
      value: `when ${(spec.quorum * 100).toFixed(0)}% of its workers sent updates, or after ${spec.roundDeadlineSeconds} s`,
    },
    { key: "aggregation", label: "Aggregation", value: aggregationWords(spec) },
    {
      key: "server-lr",
      label: "Server learning rate",
      value: serverLr === 0 || serverLr === 1 ? "1 (plain FedAvg)" : String(serverLr),
    },
    {
      key: "augment",
      label: "Image shifts",
      value: spec.augmentShiftPixels === 0 ? "off" : `up to ${spec.augmentShiftPixels} px each way`,
    },
    { key: "evaluation", label: "Evaluated on", value: `the ${spec.evaluationSplit} split` },
  ];
}
