import { describe, expect, it } from "vitest";
import { isRoutineRequest } from "./request-logging.js";

describe("isRoutineRequest", () => {
  it("leaves heartbeats, health checks, metrics and static files out of the info log", () => {
    for (const url of [
      "/cyxwiz.compute.v1.NodeService/Heartbeat",
      "/healthz",
      "/metrics",
      "/_next/static/chunks/main.js",
      "/favicon.ico",
      "/_next/static/tfjs-wasm/tfjs-backend-wasm.wasm?v=1",
    ])
      expect(isRoutineRequest(url, "info"), url).toBe(true);
  });

  it("logs what happens: RPCs other than heartbeats, uploads, pages", () => {
    for (const url of [
      "/cyxwiz.compute.v1.NodeService/Register",
      "/cyxwiz.compute.v1.JobService/SubmitJob",
      "/cyxwiz.data.v1.DatasetService/GetDataset",
      "/jobs/",
      "/healthz/more",
    ])
      expect(isRoutineRequest(url, "info"), url).toBe(false);
  });

  it("logs every request at debug and trace", () => {
    expect(isRoutineRequest("/cyxwiz.compute.v1.NodeService/Heartbeat", "debug")).toBe(false);
    expect(isRoutineRequest("/healthz", "trace")).toBe(false);
  });
});
