import type { Job } from "@cyxwiz/protocol/gen";

/** One point of the global model's curve: its evaluation loss and accuracy after a round. */
export interface GlobalPoint {
  readonly round: number;
  readonly loss: number;
  readonly accuracy: number;
}

/** The global evaluation per closed round, in round order; rounds the gateway could not evaluate are left out. */
export function globalSeries(job: Job): GlobalPoint[] {
  return job.rounds
    .filter((r) => r.global !== undefined)
    .map((r) => ({ round: r.round, loss: r.global?.loss ?? 0, accuracy: r.global?.accuracy ?? 0 }))
    .sort((a, b) => a.round - b.round);
}

/** Per-worker local metrics, one row per round with a `loss:<node>` and `accuracy:<node>` value per worker. */
export interface WorkerSeries {
  /** The node ids with at least one point, in order of first appearance. */
  readonly nodes: readonly string[];
  readonly rows: readonly Record<string, number>[];
}

/** The workers' local loss and accuracy per round (Round.workers), for one line per worker. */
export function workerSeries(job: Job): WorkerSeries {
  const nodes: string[] = [];
  const rows = [...job.rounds]
    .sort((a, b) => a.round - b.round)
    .filter((r) => r.workers.length > 0)
    .map((r) => {
      const row: Record<string, number> = { round: r.round };
      for (const w of r.workers) {
        if (w.local === undefined) continue;
        if (!nodes.includes(w.nodeId)) nodes.push(w.nodeId);
        row[`loss:${w.nodeId}`] = w.local.loss;
        row[`accuracy:${w.nodeId}`] = w.local.accuracy;
      }
      return row;
    });
  return { nodes, rows };
}

/** The last closed round's global accuracy, or undefined before any was evaluated. */
export function lastAccuracy(job: Job): number | undefined {
  const points = globalSeries(job);
  return points.at(-1)?.accuracy;
}
