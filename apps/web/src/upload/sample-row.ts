import { classificationFromName } from "@cyxwiz/protocol/vocab";
import type { ShardingSpec, ShardPreview } from "../preview/preview-types.js";
import {
  type ColumnDecision,
  columnsNeedingDecision,
  decisionSentence,
  type KAnonymityChoice,
  planFromDecisions,
} from "./anonymize-choices.js";
import { packOrderOf } from "./pack-order-choice.js";
import type { AnalysisOutcome } from "./sample-analyser.js";
import type { SampleAnalysis } from "./sample-analysis.js";
import { type UploadChoices, withClassification } from "./upload-choices.js";

/** A dataset's reading on the upload page, from "analysing" to what the worker found. */
export type SampleStatus = "analysing" | "samples" | "opaque" | "invalid";

/** The sample side of one upload row: the analysis and what the owner decided about it. */
export interface SampleRowState {
  readonly status: SampleStatus;
  /** How much of the files the analysis has read, 0 to 1. */
  readonly fraction: number;
  readonly analysis?: SampleAnalysis;
  /** Why the files cannot be read as samples (status "invalid"). */
  readonly message?: string;
  readonly decisions: Readonly<Record<string, ColumnDecision | undefined>>;
  readonly kAnonymity?: KAnonymityChoice;
  readonly sharding?: ShardingSpec;
  /** The sequence number of the latest shard preview asked for; older answers are dropped. */
  readonly shardSeq: number;
  readonly shards?: readonly ShardPreview[];
  readonly shardProblem?: string;
  /** Whether the owner chose a classification, so the scan's suggestion no longer replaces it. */
  readonly classificationTouched: boolean;
}

/** A row's sample state when its files are sent to be analysed. */
export const ANALYSING: SampleRowState = {
  status: "analysing",
  fraction: 0,
  decisions: {},
  shardSeq: 0,
  classificationTouched: false,
};

/**
 * The row after the worker's analysis: a dataset of samples takes the scan's suggested
 * classification (unless the owner already chose one) and sample choices (no plan, source
 * order); opaque or invalid files keep uploading as bytes, or cannot upload.
 */
export function withAnalysis(
  state: SampleRowState,
  choices: UploadChoices,
  outcome: AnalysisOutcome,
): { sample: SampleRowState; choices: UploadChoices } {
  switch (outcome.kind) {
    case "opaque":
      return { sample: { ...state, status: "opaque", fraction: 1 }, choices };
    case "invalid":
      return { sample: { ...state, status: "invalid", fraction: 1, message: outcome.message }, choices };
    case "samples": {
      const sample: SampleRowState = { ...state, status: "samples", fraction: 1, analysis: outcome.analysis };
      const suggested = classificationFromName(outcome.analysis.suggestedClassification)?.proto;
      const classified =
        state.classificationTouched || suggested === undefined ? choices : withClassification(choices, suggested);
      return { sample, choices: withSampleChoices(sample, classified) };
    }
  }
}

/** `choices.samples` rebuilt from the row's decisions and sharding (unchanged when the plan is not valid yet). */
export function withSampleChoices(sample: SampleRowState, choices: UploadChoices): UploadChoices {
  if (sample.status !== "samples") return choices;
  try {
    const plan = planFromDecisions(sample.decisions, sample.kAnonymity);
    const order = sample.sharding === undefined ? undefined : packOrderOf(sample.sharding);
    return { ...choices, samples: { plan, ...(order === undefined ? {} : { order }) } };
  } catch {
    return choices;
  }
}

/**
 * Why the row cannot upload yet, or undefined: still analysing, files that are not valid, a
 * Confidential-or-above column without a decision, a parameter out of range, or a sharding the
 * samples cannot have.
 */
export function sampleBlocker(sample: SampleRowState | undefined): string | undefined {
  if (sample === undefined || sample.status === "opaque") return undefined;
  if (sample.status === "analysing") return "Reading the dataset…";
  if (sample.status === "invalid") return sample.message ?? "The files cannot be read.";
  const analysis = sample.analysis;
  if (analysis === undefined) return undefined;
  const undecided = decisionSentence(columnsNeedingDecision(analysis.scanned, sample.decisions));
  if (undecided !== undefined) return undecided;
  try {
    planFromDecisions(sample.decisions, sample.kAnonymity);
  } catch (e) {
    return e instanceof Error ? `${e.message}.` : String(e);
  }
  if (sample.shardProblem !== undefined) return `Sharding: ${sample.shardProblem}`;
  return undefined;
}
