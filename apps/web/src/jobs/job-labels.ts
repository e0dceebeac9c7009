import { JobState, RoundClose } from "@cyxwiz/protocol/gen";
import { jobStateName, roundCloseName } from "@cyxwiz/protocol/vocab";

/** A job state's words and the short name used in `data-state` attributes (TESTIDS.md). */
export interface StateLabel {
  /** "waiting-for-workers", "running", "succeeded", … (`jobStateName` in @cyxwiz/protocol/vocab). */
  readonly name: string;
  /** "Waiting for workers", … */
  readonly label: string;
}

/** The words for a job's state; the badge colour follows `name`. */
export function jobStateLabel(state: JobState): StateLabel {
  const name = jobStateName(state);
  if (state === JobState.UNSPECIFIED) return { name, label: "Unknown" };
  const words = name.replaceAll("-", " ");
  return { name, label: words.charAt(0).toUpperCase() + words.slice(1) };
}

/** What closed a round: "quorum", "deadline", or undefined while it is open. */
export function roundCloseLabel(close: RoundClose): string | undefined {
  return close === RoundClose.UNSPECIFIED ? undefined : roundCloseName(close);
}

/** The first characters of a node id, enough to tell nodes apart on a page. */
export function shortNodeId(nodeId: string): string {
  return nodeId.length > 12 ? `${nodeId.slice(0, 12)}…` : nodeId;
}
