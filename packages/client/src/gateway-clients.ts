import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { AuthService, DatasetService, DataTransferService, JobService, NodeService } from "@cyxwiz/protocol/gen";

/**
 * Makes the Connect transport for a base URL. The entry point supplies it: connect-web's
 * `createConnectTransport` in browsers, connect-node's with HTTP/1.1 in Node (STYLE §3: the
 * runtime is chosen by entry point, never by `typeof window`).
 */
export type TransportFactory = (options: {
  readonly baseUrl: string;
  readonly interceptors: Interceptor[];
}) => Transport;

/** Where the gateway is and who is calling. */
export interface GatewayConnection {
  /** The gateway's base URL, e.g. "https://gateway.example" (Connect appends "/cyxwiz.data.v1.…/Method"). */
  readonly baseUrl: string;
  /** The session JWT (AuthService.Login); sent as `Authorization: Bearer <token>` and on the frames socket. */
  readonly token: string;
}

/** Typed clients for the gateway's services, all carrying the caller's token. */
export interface GatewayClients extends GatewayConnection {
  readonly dataTransfer: Client<typeof DataTransferService>;
  readonly datasets: Client<typeof DatasetService>;
  readonly auth: Client<typeof AuthService>;
  /** The compute plane's jobs (docs/compute.md). */
  readonly jobs: Client<typeof JobService>;
  /** The registered workers; people call only ListNodes (docs/compute.md "Principals"). */
  readonly nodes: Client<typeof NodeService>;
}

/**
 * An interceptor that adds `Authorization: Bearer <token>` to every call
 * (docs/upload-protocol.md: every call carries the token).
 */
export function bearerInterceptor(token: string): Interceptor {
  const value = `Bearer ${token}`;
  return (next) => async (req) => {
    req.header.set("Authorization", value);
    return next(req);
  };
}

/**
 * Connect clients for DataTransferService, DatasetService, AuthService, JobService and
 * NodeService over one transport.
 *
 * @throws TypeError when the base URL is not an http(s) URL or the token is empty or holds
 *   characters an HTTP header or a WebSocket subprotocol cannot carry.
 * @example
 * const clients = createGatewayClients({ baseUrl, token }, createTransport);
 * const info = await clients.datasets.getGatewayInfo({});
 */
export function createGatewayClients(connection: GatewayConnection, createTransport: TransportFactory): GatewayClients {
  const baseUrl = checkBaseUrl(connection.baseUrl);
  checkToken(connection.token);
  const transport = createTransport({ baseUrl, interceptors: [bearerInterceptor(connection.token)] });
  return {
    baseUrl,
    token: connection.token,
    dataTransfer: createClient(DataTransferService, transport),
    datasets: createClient(DatasetService, transport),
    auth: createClient(AuthService, transport),
    jobs: createClient(JobService, transport),
    nodes: createClient(NodeService, transport),
  };
}

/** The base URL without a trailing slash. @throws TypeError unless it is http:// or https://. */
export function checkBaseUrl(baseUrl: string): string {
  if (typeof baseUrl !== "string" || !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(baseUrl)) {
    throw new TypeError(
      `gateway URL must be an http:// or https:// URL without query or fragment, got ${JSON.stringify(baseUrl)}`,
    );
  }
  return baseUrl.replace(/\/+$/, "");
}

/**
 * A JWT is base64url segments joined by dots: all RFC 7230 token characters, so it can ride as a
 * WebSocket subprotocol ("bearer.<jwt>"). Anything else would be refused by the browser.
 */
function checkToken(token: string): void {
  if (typeof token !== "string" || !/^[A-Za-z0-9._~-]+$/.test(token)) {
    throw new TypeError(
      "token must be a non-empty JWT (base64url segments joined by dots), the only form a WebSocket subprotocol can carry",
    );
  }
}
