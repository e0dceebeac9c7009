import { bearerFromSubprotocols } from "@cyxwiz/protocol/frames-endpoint";

/**
 * Where a request carries its token (ARCHITECTURE §7): `Authorization: Bearer <jwt>` on HTTP and
 * RPC requests; on a WebSocket upgrade, which a browser cannot give headers, a second
 * subprotocol `bearer.<jwt>` beside the frames one (docs/upload-protocol.md §2). One module reads
 * both, so the authentication gate, the rate limits and the frames route agree.
 */

/** The token in an `Authorization: Bearer <token>` header, or undefined. */
export function bearerFromAuthorization(header: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
}

/** The token in a `Sec-WebSocket-Protocol` list ("cyxwiz.frames.v1, bearer.<jwt>"), or undefined. */
export function bearerFromProtocols(header: string | undefined): string | undefined {
  return bearerFromSubprotocols((header ?? "").split(","));
}

/** The token a request carries in either place (the Authorization header wins). */
export function bearerFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return (
    bearerFromAuthorization(one(headers.authorization)) ?? bearerFromProtocols(one(headers["sec-websocket-protocol"]))
  );
}
