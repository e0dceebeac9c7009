import { createRouterTransport } from "@connectrpc/connect";
import { DatasetService, JobService, NodeService } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { checkBaseUrl, createGatewayClients } from "./gateway-clients.js";

describe("createGatewayClients", () => {
  it("sends Authorization: Bearer <token> on every call", async () => {
    const seen: Array<string | null> = [];
    const clients = createGatewayClients({ baseUrl: "https://gw.example/", token: "h.p.s" }, ({ interceptors }) =>
      createRouterTransport(
        (router) => {
          router.service(DatasetService, {
            getGatewayInfo: (_req, ctx) => {
              seen.push(ctx.requestHeader.get("Authorization"));
              return { window: 5 };
            },
            listDatasets: (_req, ctx) => {
              seen.push(ctx.requestHeader.get("Authorization"));
              return {};
            },
          });
          router.service(JobService, {
            listJobs: (_req, ctx) => {
              seen.push(ctx.requestHeader.get("Authorization"));
              return {};
            },
          });
          router.service(NodeService, {
            listNodes: (_req, ctx) => {
              seen.push(ctx.requestHeader.get("Authorization"));
              return {};
            },
          });
        },
        { transport: { interceptors } },
      ),
    );
    expect(clients.baseUrl).toBe("https://gw.example");
    expect((await clients.datasets.getGatewayInfo({})).window).toBe(5);
    await clients.datasets.listDatasets({});
    await clients.jobs.listJobs({});
    await clients.nodes.listNodes({});
    expect(seen).toEqual(["Bearer h.p.s", "Bearer h.p.s", "Bearer h.p.s", "Bearer h.p.s"]);
  });

  it("refuses a URL that is not http(s) and a token a WebSocket subprotocol cannot carry", () => {
    const transport = () => createRouterTransport(() => {});
    for (const url of ["ftp://x", "gw.example", "https://gw.example/?q=1", "https://gw.example#f", ""]) {
      expect(() => createGatewayClients({ baseUrl: url, token: "a.b.c" }, transport), url).toThrow(TypeError);
    }
    for (const token of ["", "a b", "a/b", "a=b", "a,b"]) {
      expect(() => createGatewayClients({ baseUrl: "http://gw", token }, transport), token).toThrow(/JWT/);
    }
    expect(checkBaseUrl("http://127.0.0.1:8080/api//")).toBe("http://127.0.0.1:8080/api");
  });
});
