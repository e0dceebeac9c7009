import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { bearerInterceptor, type GatewayConnection } from "@cyxwiz/client";
import { JobService, NodeService } from "@cyxwiz/protocol/gen";

/** Typed clients for the compute plane's services (docs/compute.md), as a person calls them. */
export interface ComputeClients {
  readonly jobs: Client<typeof JobService>;
  readonly nodes: Client<typeof NodeService>;
}

/** The compute clients over `transport` (tests hand in connect's `createRouterTransport`). */
export function computeClientsOver(transport: Transport): ComputeClients {
  return { jobs: createClient(JobService, transport), nodes: createClient(NodeService, transport) };
}

/**
 * The compute clients of the signed-in person: connect-web to the gateway that served the page,
 * every call carrying the session token (as `connectGateway` does for the data plane).
 */
export function connectCompute(connection: GatewayConnection): ComputeClients {
  return computeClientsOver(
    createConnectTransport({ baseUrl: connection.baseUrl, interceptors: [bearerInterceptor(connection.token)] }),
  );
}
