import { FORMAT_NAMES } from "@cyxwiz/datasets/format-names";
import type { PackOrderStrategy } from "@cyxwiz/datasets/pack";
import { type Command, Option } from "commander";

// The dataset options of pack and upload, kept apart from dataset-choice.ts (which reads the
// files) so that building the command line loads no format reader or packer.

/** `--format`: a dataset format, "auto" (detect; opaque when nothing recognises one file) or "opaque". */
export const PACK_FORMATS = ["auto", "opaque", ...FORMAT_NAMES] as const;

/** The strategies `--order` takes: those whose shards a pack order makes contiguous. */
export const ORDER_STRATEGIES: readonly PackOrderStrategy[] = ["sample", "class-balanced", "hash"];

/** The options that say how files become a dataset of samples (pack and upload share them). */
export interface DatasetChoiceOptions {
  format?: string;
  labelColumn?: string;
  order?: string;
  shards?: string;
  orderColumn?: string;
  seed?: string;
  split?: string;
}

/** Adds the dataset options (format, label column, pack order, split) to a command. */
export function withDatasetOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--format <format>",
        "the files' format; auto detects it by content and takes one unrecognised file as opaque bytes",
      )
        .choices([...PACK_FORMATS])
        .default("auto"),
    )
    .option("--label-column <column>", "the label column (default: the format's own, else label/class/target/y)")
    .addOption(new Option("--order <strategy>", "pack each shard's samples together").choices([...ORDER_STRATEGIES]))
    .option("--shards <n>", "shards of the pack order (with --order)")
    .option("--order-column <column>", "the column the pack order keys on (class-balanced: the label; hash: the key)")
    .option("--seed <n>", "the pack order's seed (hash)")
    .option("--split <t/v/t>", "train/validation/test in thousandths of the samples (default 800/100/100)");
}
