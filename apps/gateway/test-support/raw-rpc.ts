import http from "node:http";
import http2 from "node:http2";
import { connect } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  codeFromString,
  endStreamFlag,
  endStreamFromJson,
  errorFromJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import { trailerFlag, trailerParse } from "@connectrpc/connect/protocol-grpc-web";

/**
 * Raw RPC requests for tests that must send bytes no client library would (malformed bodies,
 * oversized or compressed ones) and read the answer in whichever of the three protocols it came.
 */

/** The wire protocols the gateway serves on one port, by request content type. */
export type RpcProtocol = "connect" | "connect-stream" | "grpc" | "grpc-web";

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  readonly trailers: Headers;
}

export interface RawRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

function toHeaders(h: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(":") || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [String(v)]) out.append(k, one);
  }
  return out;
}

/** One request over HTTP/1.1 (a fresh connection). */
export function http1Request(baseUrl: string, req: RawRequest, localAddress?: string): Promise<RawResponse> {
  const url = new URL(req.path, baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request(
      url,
      {
        method: "POST",
        headers: { ...req.headers, "content-length": String(req.body.byteLength) },
        agent: false,
        ...(localAddress === undefined ? {} : { localAddress }),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: toHeaders(res.headers),
            body: new Uint8Array(Buffer.concat(parts)),
            trailers: toHeaders(res.trailers),
          }),
        );
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/** An HTTP/2 (h2c prior knowledge) session for many requests, as gRPC clients speak. */
export function http2Session(baseUrl: string): {
  request(req: RawRequest): Promise<RawResponse>;
  close(): void;
} {
  const session = http2.connect(baseUrl);
  session.on("error", () => undefined);
  return {
    request(req) {
      return new Promise((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": req.path, ...req.headers });
        let status = 0;
        let headers = new Headers();
        let trailers = new Headers();
        const parts: Buffer[] = [];
        stream.on("response", (h) => {
          status = Number(h[":status"]);
          headers = toHeaders(h);
        });
        stream.on("trailers", (t) => {
          trailers = toHeaders(t);
        });
        stream.on("data", (d: Buffer) => parts.push(d));
        stream.on("end", () => resolve({ status, headers, trailers, body: new Uint8Array(Buffer.concat(parts)) }));
        stream.on("error", reject);
        stream.end(req.body);
      });
    },
    close: () => session.close(),
  };
}

/** A gRPC / Connect envelope: flags, 4-byte big-endian length, data. */
export function envelope(flags: number, data: Uint8Array, declaredLength = data.byteLength): Uint8Array {
  const out = new Uint8Array(5 + data.byteLength);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, declaredLength >>> 0);
  out.set(data, 5);
  return out;
}

function envelopes(body: Uint8Array): Array<{ flags: number; data: Uint8Array }> {
  const out: Array<{ flags: number; data: Uint8Array }> = [];
  let at = 0;
  while (at + 5 <= body.byteLength) {
    const len = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
    out.push({ flags: body[at]!, data: body.subarray(at + 5, at + 5 + len) });
    at += 5 + len;
  }
  return out;
}

/** The outcome of an RPC as its protocol reports it: a Connect code, or "ok". */
export interface RpcOutcome {
  readonly code: keyof typeof Code | "ok";
  readonly message: string;
  /** The HTTP status the answer came with. */
  readonly status: number;
}

function fromGrpcStatus(status: string | null, message: string | null, http: number): RpcOutcome | undefined {
  if (status === null) return undefined;
  const n = Number(status);
  return {
    code: n === 0 ? "ok" : ((Code[n] as keyof typeof Code | undefined) ?? "Unknown"),
    message: decodeURIComponent(message ?? ""),
    status: http,
  };
}

/** Reads the answer the way a client of `protocol` would. */
export function rpcOutcome(protocol: RpcProtocol, res: RawResponse): RpcOutcome {
  switch (protocol) {
    case "connect": {
      if (res.status === 200) return { code: "ok", message: "", status: 200 };
      const e = errorFromJsonBytes(res.body, undefined, new ConnectError(`HTTP ${res.status}`, Code.Unknown));
      return { code: Code[e.code] as keyof typeof Code, message: e.rawMessage, status: res.status };
    }
    case "connect-stream": {
      if (res.status !== 200) {
        const e = errorFromJsonBytes(res.body, undefined, new ConnectError(`HTTP ${res.status}`, Code.Unknown));
        return { code: Code[e.code] as keyof typeof Code, message: e.rawMessage, status: res.status };
      }
      const end = envelopes(res.body).find((e) => (e.flags & endStreamFlag) !== 0);
      if (end === undefined) return { code: "Unknown", message: "no end-stream message", status: res.status };
      const parsed = endStreamFromJson(end.data);
      return parsed.error === undefined
        ? { code: "ok", message: "", status: res.status }
        : { code: Code[parsed.error.code] as keyof typeof Code, message: parsed.error.rawMessage, status: res.status };
    }
    case "grpc":
      return (
        fromGrpcStatus(res.trailers.get("grpc-status"), res.trailers.get("grpc-message"), res.status) ??
        fromGrpcStatus(res.headers.get("grpc-status"), res.headers.get("grpc-message"), res.status) ?? {
          code: "Unknown",
          message: `HTTP ${res.status} without grpc-status`,
          status: res.status,
        }
      );
    case "grpc-web": {
      const inHeaders = fromGrpcStatus(res.headers.get("grpc-status"), res.headers.get("grpc-message"), res.status);
      if (inHeaders !== undefined) return inHeaders;
      const t = envelopes(res.body).find((e) => (e.flags & trailerFlag) !== 0);
      const trailer = t === undefined ? new Headers() : trailerParse(t.data);
      return (
        fromGrpcStatus(trailer.get("grpc-status"), trailer.get("grpc-message"), res.status) ?? {
          code: "Unknown",
          message: `HTTP ${res.status} without grpc-status`,
          status: res.status,
        }
      );
    }
  }
}

/** Connect's lower-case code name ("invalid_argument") as the Code enum's key. */
export function codeName(s: string): keyof typeof Code | undefined {
  const c = codeFromString(s);
  return c === undefined ? undefined : (Code[c] as keyof typeof Code);
}

/** What a client that streams a large body saw. */
export interface StreamedBodyResult {
  /** The answer's status line code, or undefined when none arrived. */
  readonly status: number | undefined;
  /** Header and body text of the answer, as received. */
  readonly response: string;
  /** Body bytes written before the answer's first byte arrived. */
  readonly sentBeforeAnswer: number;
  /** Body bytes written in all (the gateway may stop reading and close). */
  readonly sent: number;
  readonly ms: number;
}

/**
 * POSTs `total` bytes (`fill` repeated) over a raw HTTP/1.1 socket in pieces, reading the answer
 * as it comes, the way curl sends a big upload: it shows whether the gateway answers before it
 * has the whole body, and stops reading it. With `chunked`, no Content-Length is declared.
 */
export async function streamBody(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  total: number,
  options: { chunked?: boolean; fill?: number; piece?: number } = {},
): Promise<StreamedBodyResult> {
  const url = new URL(baseUrl);
  const piece = Buffer.alloc(options.piece ?? 256 * 1024, options.fill ?? 0x20);
  const started = performance.now();
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let response = "";
  let sent = 0;
  let sentBeforeAnswer: number | undefined;
  let closed = false;
  socket.on("data", (d: Buffer) => {
    sentBeforeAnswer ??= sent;
    response += d.toString("latin1");
  });
  const ended = new Promise<void>((resolve) => {
    socket.on("close", () => {
      closed = true;
      resolve();
    });
    socket.on("error", () => undefined);
  });
  const head = [
    `POST ${path} HTTP/1.1`,
    `host: ${url.host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    options.chunked === true ? "transfer-encoding: chunked" : `content-length: ${total}`,
    "",
    "",
  ].join("\r\n");
  socket.write(head);
  while (sent < total && !closed && sentBeforeAnswer === undefined) {
    const n = Math.min(piece.length, total - sent);
    const bytes = piece.subarray(0, n);
    const ok =
      options.chunked === true
        ? socket.write(`${n.toString(16)}\r\n`) && socket.write(bytes) && socket.write("\r\n")
        : socket.write(bytes);
    sent += n;
    if (!ok) await new Promise<void>((resolve) => socket.once("drain", resolve).once("close", resolve));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  if (!closed && sent >= total && options.chunked === true) socket.write("0\r\n\r\n");
  // Wait for the whole answer (or the gateway closing), at most a few seconds.
  await Promise.race([
    ended,
    new Promise((resolve) => setTimeout(resolve, 3000)),
    (async () => {
      while (!/\r\n\r\n/.test(response) || !answerComplete(response)) await new Promise((r) => setTimeout(r, 20));
    })(),
  ]);
  socket.destroy();
  const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
  return {
    status: status === undefined ? undefined : Number(status),
    response,
    sentBeforeAnswer: sentBeforeAnswer ?? sent,
    sent,
    ms: performance.now() - started,
  };
}

function answerComplete(text: string): boolean {
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split))?.[1];
  if (length !== undefined) return text.length - split - 4 >= Number(length);
  return text.endsWith("0\r\n\r\n");
}
