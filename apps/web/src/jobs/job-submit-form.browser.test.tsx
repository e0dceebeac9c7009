import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import {
  ColumnRole,
  DatasetManifestSchema,
  DatasetService,
  DatasetVersionSchema,
  type Job,
  JobSchema,
  JobService,
  type JobSpec,
  JobState,
} from "@cyxwiz/protocol/gen";
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { JobSubmitForm } from "./job-submit-form.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

/**
 * A gateway with two datasets of samples, both encrypted: mnist@v1 with its key escrowed, secret@v1
 * without (the gateway cannot read its columns); and one opaque file. SubmitJob records the spec.
 */
function fakeGateway(submit: (spec: JobSpec) => Job) {
  const transport = createRouterTransport(({ service }) => {
    service(DatasetService, {
      listDatasets: () => ({ datasets: [{ name: "mnist" }, { name: "notes.txt" }, { name: "secret" }] }),
      listVersions: ({ name }) => ({
        versions: [
          create(DatasetVersionSchema, {
            name,
            version: 1,
            ref: `${name}@v1`,
            encrypted: name !== "notes.txt",
            keyEscrowed: name === "mnist",
          }),
        ],
      }),
      getDataset: ({ ref }) => ({
        manifest: create(DatasetManifestSchema, {
          ...(ref !== "notes.txt@v1"
            ? {
                samples: {
                  sourceFormat: "idx",
                  numSamples: 15170n,
                  labelColumn: "label",
                  columns: [
                    { name: "image", role: ColumnRole.FEATURE, dtype: "uint8", shape: [28, 28] },
                    { name: "label", role: ColumnRole.LABEL },
                  ],
                  labelHistogram: [
                    { label: "1", count: 7877n },
                    { label: "7", count: 7293n },
                  ],
                },
              }
            : {}),
        }),
      }),
    });
    service(JobService, {
      submitJob: ({ spec }) => {
        if (spec === undefined) throw new ConnectError("no spec", Code.InvalidArgument);
        return { job: submit(spec) };
      },
    });
  });
  return { datasets: createClient(DatasetService, transport), jobs: createClient(JobService, transport) };
}

function type(el: HTMLElement, value: string) {
  const proto =
    el instanceof HTMLTextAreaElement
      ? HTMLTextAreaElement.prototype
      : el instanceof HTMLSelectElement
        ? HTMLSelectElement.prototype
        : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value")?.set?.call(el, value);
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
}

describe("JobSubmitForm", () => {
  it("offers only datasets of samples, starts from the defaults, and sends them as a JobSpec", async () => {
    const sent: JobSpec[] = [];
    const submitted: Job[] = [];
    const gw = fakeGateway((spec) => {
      sent.push(spec);
      return create(JobSchema, { id: "job_42", spec, state: JobState.WAITING_FOR_WORKERS });
    });
    r = await render(<JobSubmitForm {...gw} onSubmitted={(j) => submitted.push(j)} />);
    const c = r.container;
    await until(() => expect((byTestId(c, "job-dataset") as HTMLSelectElement).value).toBe("mnist@v1"));
    const options = [...(byTestId(c, "job-dataset") as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(["mnist@v1", "secret@v1"]);
    expect(c.querySelector('[data-testid="job-sharding-sample-only"]')).toBeNull();
    expect((byTestId(c, "job-model") as HTMLSelectElement).value).toBe("mnist-mlp");
    expect((byTestId(c, "job-optimizer") as HTMLSelectElement).value).toBe("adam");
    expect((byTestId(c, "job-learning-rate") as HTMLInputElement).value).toBe("0.001");
    expect((byTestId(c, "job-batch-size") as HTMLInputElement).value).toBe("32");
    expect((byTestId(c, "job-rounds") as HTMLInputElement).value).toBe("5");
    expect((byTestId(c, "sharding-strategy") as HTMLSelectElement).value).toBe("class-balanced");
    expect([...(byTestId(c, "sharding-strategy") as HTMLSelectElement).options].map((o) => o.value)).toEqual([
      "sample",
      "class-balanced",
      "hash",
    ]);
    expect((byTestId(c, "sharding-column") as HTMLSelectElement).value).toBe("label");
    expect(byTestId(c, "class-histogram-table").textContent).toContain("7877");
    // The manifest's histogram is enough to preview a class-balanced split: 4 shards, each with both classes.
    await until(() => expect(byTestId(c, "shard-preview-table").querySelectorAll("tbody tr").length).toBe(4));
    expect(byTestId(c, "shard-preview-chart").dataset.stacked).toBe("true");

    await act(async () => byTestId(c, "job-submit").click());
    await until(() => expect(submitted.map((j) => j.id)).toEqual(["job_42"]));
    const spec = sent[0]!;
    expect(spec.datasetRef).toBe("mnist@v1");
    expect(spec.model).toEqual({ case: "preset", value: "mnist-mlp" });
    expect([spec.optimizer, spec.learningRate, spec.batchSize, spec.rounds]).toEqual(["adam", 0.001, 32, 5]);
    expect(spec.localWork).toEqual({ case: "localEpochs", value: 1 });
    expect([spec.shardingStrategy, spec.shardingColumn, spec.shardingSeed]).toEqual(["class-balanced", "label", 0n]);
    expect([spec.minWorkers, spec.maxWorkers, spec.evaluationSplit, spec.roundDeadlineSeconds, spec.quorum]).toEqual([
      1,
      4,
      "validation",
      120,
      1,
    ]);
    expect(spec.aggregation?.rule).toBe("fedavg");
  });

  it("shows validateModelSpec's message for a bad JSON spec as it is typed, and sends nothing", async () => {
    const sent: JobSpec[] = [];
    const gw = fakeGateway((spec) => {
      sent.push(spec);
      return create(JobSchema, { id: "job_1", spec });
    });
    r = await render(<JobSubmitForm {...gw} onSubmitted={() => {}} />);
    const c = r.container;
    await until(() => expect((byTestId(c, "job-dataset") as HTMLSelectElement).value).toBe("mnist@v1"));
    await act(async () => type(byTestId(c, "job-model"), "json"));
    await act(async () =>
      type(byTestId(c, "job-model-json"), '{"inputShape":[784],"layers":[{"type":"conv2d","filters":4}]}'),
    );
    expect(byTestId(c, "job-form-error").textContent).toBe(
      "Model spec: layers[0].kernelSize: must be a positive integer.",
    );
    expect(byTestId(c, "job-model-json").getAttribute("aria-invalid")).toBe("true");
    await act(async () => byTestId(c, "job-submit").click());
    await act(async () => type(byTestId(c, "job-model-json"), '{"inputShape":[784],'));
    expect(byTestId(c, "job-form-error").textContent).toMatch(/^Model spec: not JSON/);
    expect(sent).toEqual([]);

    await act(async () =>
      type(byTestId(c, "job-model-json"), '{"inputShape":[784],"layers":[{"type":"dense","units":8}]}'),
    );
    expect(c.querySelector('[data-testid="job-form-error"]')).toBeNull();
    await act(async () => byTestId(c, "job-submit").click());
    await until(() => expect(sent.length).toBe(1));
    expect(sent[0]!.model.case).toBe("modelJson");
  });

  it("names the field at fault after Submit, and shows the gateway's refusal as error-message words it", async () => {
    const gw = fakeGateway(() => {
      throw new ConnectError("dataset mnist@v1 is Restricted: no worker may train on it", Code.FailedPrecondition);
    });
    r = await render(<JobSubmitForm {...gw} onSubmitted={() => {}} />);
    const c = r.container;
    await until(() => expect((byTestId(c, "job-dataset") as HTMLSelectElement).value).toBe("mnist@v1"));
    await act(async () => type(byTestId(c, "job-quorum"), "0"));
    expect(c.querySelector('[data-testid="job-form-error"]')).toBeNull(); // not before Submit
    await act(async () => byTestId(c, "job-submit").click());
    expect(byTestId(c, "job-form-error").dataset.field).toBe("quorum");
    await act(async () => type(byTestId(c, "job-quorum"), "0.5"));
    await act(async () => byTestId(c, "job-submit").click());
    await until(() =>
      expect(byTestId(c, "job-submit-error").textContent).toBe(
        "Submitting the job failed: dataset mnist@v1 is Restricted: no worker may train on it.",
      ),
    );
  });

  it("offers only sample sharding for a dataset whose columns the gateway cannot read, and says why", async () => {
    const sent: JobSpec[] = [];
    const gw = fakeGateway((spec) => {
      sent.push(spec);
      return create(JobSchema, { id: "job_7", spec });
    });
    r = await render(<JobSubmitForm {...gw} onSubmitted={() => {}} />);
    const c = r.container;
    await until(() => expect((byTestId(c, "job-dataset") as HTMLSelectElement).value).toBe("mnist@v1"));
    await act(async () => type(byTestId(c, "job-dataset"), "secret@v1"));
    await until(() => expect((byTestId(c, "sharding-strategy") as HTMLSelectElement).value).toBe("sample"));
    expect([...(byTestId(c, "sharding-strategy") as HTMLSelectElement).options].map((o) => o.value)).toEqual([
      "sample",
    ]);
    expect(byTestId(c, "job-sharding-sample-only").textContent).toContain("secret@v1 is encrypted");
    await act(async () => byTestId(c, "job-submit").click());
    await until(() => expect(sent.length).toBe(1));
    expect([sent[0]!.datasetRef, sent[0]!.shardingStrategy]).toEqual(["secret@v1", "sample"]);

    // Back on a dataset the gateway can read, the column strategies return.
    await act(async () => type(byTestId(c, "job-dataset"), "mnist@v1"));
    await until(() => expect((byTestId(c, "sharding-strategy") as HTMLSelectElement).options.length).toBe(3));
    expect(c.querySelector('[data-testid="job-sharding-sample-only"]')).toBeNull();
  });
});
