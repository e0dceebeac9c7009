"use client";

import type { Job } from "@cyxwiz/protocol/gen";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { classColour } from "../preview/chart-palette.js";
import { shortNodeId } from "./job-labels.js";
import { globalSeries, workerSeries } from "./job-series.js";

const LOSS_COLOUR = classColour(1);
const ACCURACY_COLOUR = classColour(0);

/**
 * The job's curves, live as rounds close: the global model's evaluation loss and accuracy per
 * round, and each worker's local loss and accuracy. The numbers are also in visually hidden
 * tables (as the class histogram does), for screen readers and tests.
 */
export function JobCharts({ job }: { job: Job }) {
  const global = globalSeries(job);
  const workers = workerSeries(job);
  return (
    <div className="job-charts">
      <figure className="chart-figure" data-testid="job-chart-global" data-points={global.length}>
        <figcaption className="chart-title">
          Global model on the {job.spec?.evaluationSplit || "evaluation"} split
        </figcaption>
        {global.length === 0 ? (
          <p className="muted small" data-testid="job-chart-global-empty">
            {job.rounds.some((r) => r.closedAt !== undefined)
              ? `The gateway does not evaluate this job: it holds no key to ${job.spec?.datasetRef ?? "its dataset"} (encrypted, key not escrowed), so it cannot read the held-out samples. The workers' own loss and accuracy are beside.`
              : "No round has been evaluated yet."}
          </p>
        ) : (
          <div
            role="img"
            aria-label="Global loss and accuracy per round: line chart; the numbers are in the table that follows"
          >
            <ResponsiveContainer width="100%" height={220}>
              <LineChart data={global} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#dde1e6" />
                <XAxis dataKey="round" allowDecimals={false} tick={{ fontSize: 12 }} />
                <YAxis yAxisId="loss" tick={{ fontSize: 12 }} width={48} />
                <YAxis yAxisId="accuracy" orientation="right" domain={[0, 1]} tick={{ fontSize: 12 }} width={40} />
                <Tooltip />
                <Legend />
                <Line yAxisId="loss" dataKey="loss" name="Loss" stroke={LOSS_COLOUR} isAnimationActive={false} />
                <Line
                  yAxisId="accuracy"
                  dataKey="accuracy"
                  name="Accuracy"
                  stroke={ACCURACY_COLOUR}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
        <div className="visually-hidden">
          <table data-testid="job-global-table">
            <caption>Global evaluation per round</caption>
            <thead>
              <tr>
                <th scope="col">Round</th>
                <th scope="col">Loss</th>
                <th scope="col">Accuracy</th>
              </tr>
            </thead>
            <tbody>
              {global.map((p) => (
                <tr key={p.round}>
                  <th scope="row">{p.round}</th>
                  <td>{p.loss.toFixed(4)}</td>
                  <td>{p.accuracy.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
      <figure className="chart-figure" data-testid="job-chart-workers" data-points={workers.rows.length}>
        <figcaption className="chart-title">Workers' local training</figcaption>
        {workers.rows.length === 0 ? (
          <p className="muted small">No worker has sent an update yet.</p>
        ) : (
          <div className="job-chart-pair">
            {(["loss", "accuracy"] as const).map((metric) => (
              <div
                key={metric}
                role="img"
                aria-label={`Each worker's local ${metric} per round: line chart`}
                data-testid={`job-chart-workers-${metric}`}
              >
                <ResponsiveContainer width="100%" height={200}>
                  <LineChart
                    data={workers.rows as Record<string, number>[]}
                    margin={{ top: 8, right: 8, bottom: 4, left: 0 }}
                  >
                    <CartesianGrid strokeDasharray="3 3" stroke="#dde1e6" />
                    <XAxis dataKey="round" allowDecimals={false} tick={{ fontSize: 12 }} />
                    <YAxis
                      tick={{ fontSize: 12 }}
                      width={48}
                      {...(metric === "accuracy" ? { domain: [0, 1] as [number, number] } : {})}
                    />
                    <Tooltip />
                    <Legend />
                    {workers.nodes.map((node, i) => (
                      <Line
                        key={node}
                        dataKey={`${metric}:${node}`}
                        name={`${shortNodeId(node)} ${metric}`}
                        stroke={classColour(i)}
                        connectNulls
                        isAnimationActive={false}
                      />
                    ))}
                  </LineChart>
                </ResponsiveContainer>
              </div>
            ))}
          </div>
        )}
      </figure>
    </div>
  );
}
