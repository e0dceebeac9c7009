import { DataClassification } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";

/** One data classification (seed §4.3): its spellings, its proto value and how people see it. */
export interface ClassificationInfo {
  /** What people type and read: the CLI's `--classification`, `cyxwiz ls`, the docs. */
  readonly name: string;
  /**
   * The gateway store's spelling: the SQL domain `classification`
   * (apps/gateway/src/store/migrations/0001_init.sql) allows these and no others.
   */
  readonly stored: string;
  /** The proto value (src/gen/cyxwiz/data/v1/data_transfer_pb.ts). */
  readonly proto: DataClassification;
  /** What the dashboard shows. */
  readonly label: string;
  /** One line for help texts. */
  readonly description: string;
}

/**
 * The classifications, lowest first (seed §4.3). The one list: the gateway's store and RPC
 * mapping, the CLI and the dashboard read it. The SQL domain repeats the stored spellings, and a
 * gateway test checks the two agree.
 */
export const CLASSIFICATIONS = [
  {
    name: "public",
    stored: "public",
    proto: DataClassification.PUBLIC,
    label: "Public",
    description: "readable by design; encryption optional",
  },
  {
    name: "internal",
    stored: "internal",
    proto: DataClassification.INTERNAL,
    label: "Internal",
    description: "inside the organisation; key escrow allowed",
  },
  {
    name: "confidential",
    stored: "confidential",
    proto: DataClassification.CONFIDENTIAL,
    label: "Confidential",
    description: "encryption required",
  },
  {
    name: "restricted",
    stored: "restricted",
    proto: DataClassification.RESTRICTED,
    label: "Restricted",
    description: "encryption required",
  },
  {
    name: "top-secret",
    stored: "top_secret",
    proto: DataClassification.TOP_SECRET,
    label: "Top secret",
    description: "encryption required",
  },
] as const satisfies readonly ClassificationInfo[];

/** One entry of {@link CLASSIFICATIONS}, with its literal spellings. */
export type ClassificationEntry = (typeof CLASSIFICATIONS)[number];
/** A classification as people type it ("top-secret"). */
export type ClassificationName = (typeof CLASSIFICATIONS)[number]["name"];
/** A classification as the gateway stores it ("top_secret"). */
export type StoredClassification = (typeof CLASSIFICATIONS)[number]["stored"];

/** The names people type, lowest first. */
export const CLASSIFICATION_NAMES: readonly ClassificationName[] = CLASSIFICATIONS.map((c) => c.name);
/** The stored spellings, lowest first. */
export const STORED_CLASSIFICATIONS: readonly StoredClassification[] = CLASSIFICATIONS.map((c) => c.stored);

/** The entry for a proto value, or undefined for a number this build does not know. */
export function classificationFromProto(value: DataClassification): ClassificationEntry | undefined {
  return CLASSIFICATIONS.find((c) => c.proto === value);
}

/**
 * The entry for what someone typed: case does not matter, and "-" and "_" are the same
 * ("top-secret", "TOP_SECRET"). Undefined for anything else.
 */
export function classificationFromName(text: string): ClassificationEntry | undefined {
  const wanted = text.toLowerCase().replace(/_/g, "-");
  return CLASSIFICATIONS.find((c) => c.name === wanted);
}

/** The entry for a stored spelling. */
export function classificationFromStored(stored: StoredClassification): ClassificationEntry {
  return CLASSIFICATIONS.find((c) => c.stored === stored)!;
}

/** The label of a proto value ("Top secret"), or "Unknown (n)" for a value this build does not know. */
export function classificationLabel(value: DataClassification): string {
  return classificationFromProto(value)?.label ?? `Unknown (${value})`;
}

/** The name of a proto value ("top-secret"), or the number as text for a value this build does not know. */
export function classificationName(value: DataClassification): string {
  return classificationFromProto(value)?.name ?? String(value);
}
