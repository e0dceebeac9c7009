import type { GatewayClients } from "../gateway-clients.js";
import { toClientError } from "../rpc-error.js";

/**
 * Calls the gateway at `clients.baseUrl`, turning any failure into a ClientError that says what
 * was being done and where (rpc-error.ts).
 */
export async function callGateway<T>(clients: GatewayClients, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toClientError(e, `${what} at ${clients.baseUrl}`);
  }
}
