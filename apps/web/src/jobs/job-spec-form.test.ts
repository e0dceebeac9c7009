import { describe, expect, it } from "vitest";
import { checkJobDraft, defaultJobDraft, type JobDraft, modelJsonProblem, syntaxPlace } from "./job-spec-form.js";

const draft = (over: Partial<JobDraft> = {}): JobDraft => ({ ...defaultJobDraft("mnist@v1"), ...over });

describe("checkJobDraft", () => {
  it("turns the defaults into the JobSpec the form sends", () => {
    const checked = checkJobDraft(draft());
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const s = checked.spec;
    expect(s.datasetRef).toBe("mnist@v1");
    expect(s.model).toEqual({ case: "preset", value: "mnist-mlp" });
    expect([s.optimizer, s.learningRate, s.batchSize, s.rounds]).toEqual(["adam", 0.001, 32, 5]);
    expect(s.localWork).toEqual({ case: "localEpochs", value: 1 });
    expect([s.shardingStrategy, s.shardingSeed, s.minWorkers, s.maxWorkers]).toEqual(["class-balanced", 0n, 1, 4]);
    expect([s.evaluationSplit, s.roundDeadlineSeconds, s.quorum]).toEqual(["validation", 120, 1]);
    expect(s.aggregation?.rule).toBe("fedavg");
    expect(s.aggregation?.serverLearningRate).toBe(1);
    expect(s.augmentShiftPixels).toBe(0);
  });

  it("names the field at fault", () => {
    expect(checkJobDraft(draft({ datasetRef: "" }))).toMatchObject({ ok: false, field: "datasetRef" });
    expect(checkJobDraft(draft({ learningRate: "0" }))).toMatchObject({ ok: false, field: "learningRate" });
    expect(checkJobDraft(draft({ batchSize: "3.5" }))).toMatchObject({ ok: false, field: "batchSize" });
    expect(checkJobDraft(draft({ minWorkers: "5" }))).toMatchObject({ ok: false, field: "minWorkers" });
    expect(checkJobDraft(draft({ quorum: "1.5" }))).toMatchObject({ ok: false, field: "quorum" });
    expect(checkJobDraft(draft({ aggregation: "median" }))).toMatchObject({ ok: false, field: "aggregation" });
    for (const bad of ["0", "3.5", "fast"])
      expect(checkJobDraft(draft({ serverLearningRate: bad })), bad).toMatchObject({
        ok: false,
        field: "serverLearningRate",
      });
    for (const bad of ["5", "1.5", "-1"])
      expect(checkJobDraft(draft({ augmentShiftPixels: bad })), bad).toMatchObject({
        ok: false,
        field: "augmentShiftPixels",
      });
    expect(checkJobDraft(draft({ augmentShiftPixels: "2" }))).toMatchObject({
      ok: true,
      spec: { augmentShiftPixels: 2 },
    });
    expect(checkJobDraft(draft({ serverLearningRate: "1.5" }))).toMatchObject({
      ok: true,
      spec: { aggregation: { serverLearningRate: 1.5 } },
    });
    expect(checkJobDraft(draft({ aggregation: "trimmed-mean", trimFraction: "0.5" }))).toMatchObject({
      ok: false,
      field: "trimFraction",
    });
  });

  it("sends a trimmed-mean rule with its fraction and a JSON spec as model_json", () => {
    const json = JSON.stringify({ inputShape: [784], layers: [{ type: "dense", units: 16, activation: "relu" }] });
    const checked = checkJobDraft(draft({ aggregation: "trimmed-mean", modelSource: "json", modelJson: json }));
    expect(checked.ok && checked.spec.aggregation?.trimFraction).toBe(0.1);
    expect(checked.ok && checked.spec.model).toEqual({ case: "modelJson", value: json });
  });
});

describe("modelJsonProblem", () => {
  it("says a syntax error is not JSON, with the engine's words around the fault", () => {
    expect(modelJsonProblem('{\n  "inputShape": [784],\n  "layers": [,]\n}')).toMatch(
      /^Model spec: not JSON.*"layers": \[,\]/s,
    );
  });

  it("turns an engine's position or line and column into a line and column", () => {
    const text = '{\n  "a": 1,\n  x\n}';
    expect(syntaxPlace(text, new SyntaxError("Unexpected token x in JSON at position 14"))).toBe(
      " at line 3, column 3",
    );
    expect(syntaxPlace(text, new SyntaxError("JSON.parse: expected string at line 3 column 3 of the JSON data"))).toBe(
      " at line 3, column 3",
    );
    expect(syntaxPlace(text, new SyntaxError("Unexpected token"))).toBe("");
  });

  it("passes on validateModelSpec's message, naming the layer and field", () => {
    expect(modelJsonProblem('{"inputShape":[784],"layers":[{"type":"dense"}]}')).toBe(
      "Model spec: layers[0].units: must be a positive integer.",
    );
    expect(modelJsonProblem('{"inputShape":[784],"layers":[{"type":"dense","units":8}]}')).toBeUndefined();
  });
});
