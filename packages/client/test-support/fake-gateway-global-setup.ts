import type { TestProject } from "vitest/node";
import { startFakeGateway } from "./fake-gateway.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The base URL of the fake gateway this setup starts for the run, read with `inject("fakeGatewayUrl")`. */
    fakeGatewayUrl: string;
    /** The token it accepts. */
    fakeGatewayToken: string;
  }
}

/**
 * Starts one fake gateway in Node for the whole run, so tests that run in Chromium too (which
 * cannot open a server) have something to talk to over real HTTP and WebSocket.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const gateway = await startFakeGateway({ window: 3 });
  project.provide("fakeGatewayUrl", gateway.url);
  project.provide("fakeGatewayToken", gateway.token);
  return () => gateway.close();
}
