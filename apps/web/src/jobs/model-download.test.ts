import { create } from "@bufbuild/protobuf";
import { GetModelResponseSchema } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { modelFiles } from "./model-download.js";

const answer = (modelJson: string) =>
  create(GetModelResponseSchema, { modelJson, weights: new Uint8Array([1, 2, 3]), round: 2 });

describe("modelFiles", () => {
  it("saves the weights under the name model.json gives them", () => {
    const json = JSON.stringify({
      modelTopology: {},
      weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: [] }],
    });
    const files = modelFiles(answer(json));
    expect(files.modelJson).toEqual({ name: "model.json", text: json });
    expect(files.weights.name).toBe("group1-shard1of1.bin");
    expect([...files.weights.bytes]).toEqual([1, 2, 3]);
  });

  it("falls back to weights.bin and refuses paths that leave the folder", () => {
    expect(modelFiles(answer('{"modelTopology":{}}')).weights.name).toBe("weights.bin");
    expect(() => modelFiles(answer('{"weightsManifest":[{"paths":["../x.bin"]}]}'))).toThrow(/not a plain file name/);
    expect(() => modelFiles(answer('{"weightsManifest":[{"paths":["a.bin","b.bin"]}]}'))).toThrow(/2 weights files/);
  });
});
