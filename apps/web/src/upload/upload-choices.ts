import type { PlanStep } from "@cyxwiz/datasets/anonymize";
import { DataClassification } from "@cyxwiz/protocol/gen";
import { datasetNameProblem as nameRuleProblem } from "@cyxwiz/protocol/names";
import {
  CLASSIFICATIONS,
  CODECS,
  type CodecName,
  classificationLabel as vocabClassificationLabel,
} from "@cyxwiz/protocol/vocab";
import type { PackOrder } from "./pack-order-choice.js";

/** What the owner decides for one file before it is uploaded. */
export interface UploadChoices {
  /** The dataset's name; the gateway commits it as name@vN. Defaults to the file name. */
  readonly name: string;
  readonly classification: DataClassification;
  readonly encrypt: boolean;
  /** Compression tried on the first chunk; dropped by the engine when it shrinks less than 1.1x. */
  readonly compression: CodecName;
  /** Escrow the dataset key to the gateway at commit (Public and Internal data only). */
  readonly escrow: boolean;
  /**
   * Present for a dataset of samples: the anonymizer plan and the pack order. Saved with the
   * upload, so a resume after a reload prepares the same chunks again.
   */
  readonly samples?: SampleChoices;
}

/** How a dataset of samples is prepared (`prepareSamples` of @cyxwiz/datasets/pack). */
export interface SampleChoices {
  readonly plan: readonly PlanStep[];
  readonly order?: PackOrder;
}

/** The seed's classifications (§4.3), lowest first, with the labels the dashboard shows (@cyxwiz/protocol/vocab). */
export const CLASSIFICATION_OPTIONS: ReadonlyArray<{ readonly value: DataClassification; readonly label: string }> =
  CLASSIFICATIONS.map((c) => ({ value: c.proto, label: c.label }));

/** The compression choices, in the order shown (@cyxwiz/protocol/vocab). */
export const COMPRESSION_OPTIONS: ReadonlyArray<{ readonly value: CodecName; readonly label: string }> = CODECS.map(
  (c) => ({ value: c.name, label: c.label }),
);

/** The label of a classification ("Top secret"), or "Unknown (n)" for a value this build does not know. */
export const classificationLabel: (value: DataClassification) => string = vocabClassificationLabel;

/** From Confidential up the gateway refuses unencrypted data (seed §4.3), so encryption is not optional. */
export function encryptionForced(classification: DataClassification): boolean {
  return classification >= DataClassification.CONFIDENTIAL;
}

/**
 * Escrow hands the gateway a wrapped copy of the dataset key so it can re-dispatch shards alone:
 * allowed for Public and Internal data only, and only when there is a key (ARCHITECTURE §4).
 */
export function escrowAllowed(classification: DataClassification, encrypt: boolean): boolean {
  return encrypt && classification <= DataClassification.INTERNAL;
}

/**
 * The defaults for a new file: named after the file, Public, not encrypted, no compression, no
 * escrow. Public data is readable by design, so encrypting it is the owner's explicit choice;
 * every higher classification turns encryption on (see {@link withClassification}).
 */
export function defaultChoices(fileName: string): UploadChoices {
  return {
    name: fileName,
    classification: DataClassification.PUBLIC,
    encrypt: false,
    compression: "none",
    escrow: false,
  };
}

/**
 * Applies the rules after any change: encryption on from Confidential up, escrow only where
 * {@link escrowAllowed}.
 */
export function normaliseChoices(choices: UploadChoices): UploadChoices {
  const encrypt = choices.encrypt || encryptionForced(choices.classification);
  const escrow = choices.escrow && escrowAllowed(choices.classification, encrypt);
  return encrypt === choices.encrypt && escrow === choices.escrow ? choices : { ...choices, encrypt, escrow };
}

/**
 * A new classification. Moving above Public turns encryption on (the owner may turn it off again
 * for Internal data); Confidential and up force it; escrow is dropped where it is not allowed.
 */
export function withClassification(choices: UploadChoices, classification: DataClassification): UploadChoices {
  const encrypt =
    classification > DataClassification.PUBLIC && choices.classification === DataClassification.PUBLIC
      ? true
      : choices.encrypt;
  return normaliseChoices({ ...choices, classification, encrypt });
}

/**
 * Why a dataset name would be refused, in the gateway's words, or undefined when it is fine.
 * Checked before uploading so the owner hears it at once instead of after InitiateTransfer; the
 * rule is the gateway's own (@cyxwiz/protocol/names, docs/upload-protocol.md §6).
 */
export function datasetNameProblem(name: string): string | undefined {
  if (name.length === 0) return "Give the dataset a name.";
  const problem = nameRuleProblem(name);
  return problem === undefined ? undefined : `A dataset name ${problem}.`;
}
