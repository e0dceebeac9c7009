import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, createContextKey, type Interceptor } from "@connectrpc/connect";
import {
  type Compression,
  encodeEnvelope,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorFromJsonBytes, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { rpcProtocolOf } from "../http/rpc-refusal.js";

/**
 * A request Connect cannot decode is the caller's mistake: INVALID_ARGUMENT (HTTP 400, gRPC 3),
 * never INTERNAL (issue 8, finding 3; ARCHITECTURE §7). connect-es 2 reports a protobuf parse
 * failure ("parse binary: premature EOF"), a damaged gzip stream and a compressed message without
 * an encoding as INTERNAL, and a unary gRPC call with no or two messages as UNIMPLEMENTED. For a
 * unary RPC that happens before any interceptor runs, so it is corrected here on the way out:
 * a handler wrapper rewrites the code of an answer whose request never reached the interceptors,
 * in the protocol it is written in. For a streaming RPC the messages are decoded as the handler
 * reads them, and an interceptor corrects what the request stream throws.
 */

/** Set by the decoding interceptor: the request decoded and reached the interceptors. */
const reachedInterceptorsKey = createContextKey(false, { description: "the request reached the interceptors" });

export interface RequestDecodingOptions {
  /** The encodings the gateway accepts: a request naming another is UNIMPLEMENTED, as gRPC says. */
  readonly acceptCompression: readonly Compression[];
  /** The method's body cap, for the message of a size refusal. */
  capFor(method: DescMethod): number;
  /** Logs and counts one refusal. */
  refused(method: DescMethod, error: ConnectError, values: ContextValues | undefined): void;
}

const encodingHeaders = ["content-encoding", "connect-content-encoding", "grpc-encoding"];

/** What an error raised while decoding a request of `method` should tell the caller. */
function requestError(
  e: unknown,
  method: DescMethod,
  opt: RequestDecodingOptions,
  header: Headers | undefined,
): ConnectError {
  const ce = ConnectError.from(e);
  const decodeFailure = () =>
    new ConnectError(
      `cannot decode the ${method.input.typeName} request: ${ce.rawMessage}`,
      Code.InvalidArgument,
      undefined,
      undefined,
      ce,
    );
  switch (ce.code) {
    case Code.Internal:
      return decodeFailure();
    case Code.Unimplemented: {
      const accepted = encodingHeaders.every((h) => {
        const v = header?.get(h);
        return v == null || v === "identity" || opt.acceptCompression.some((c) => c.name === v);
      });
      return accepted ? decodeFailure() : ce;
    }
    case Code.ResourceExhausted:
      return new ConnectError(
        `the request is larger than the ${opt.capFor(method)} bytes ${method.name} takes (${ce.rawMessage})`,
        Code.ResourceExhausted,
        undefined,
        undefined,
        ce,
      );
    default:
      return ce;
  }
}

async function readAll(body: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  if (body !== undefined) for await (const p of body) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** An answer's body decompressed with the named encoding (answers to refusals are a few bytes). */
async function decompressed(bytes: Uint8Array, encoding: string | null, opt: RequestDecodingOptions) {
  if (encoding === null || encoding === "identity") return bytes;
  const c = opt.acceptCompression.find((x) => x.name === encoding);
  return c === undefined ? undefined : c.decompress(bytes, 1024 * 1024);
}

/**
 * Wraps a Connect router's handler so that an answer refusing a request that never reached the
 * interceptors (it could not be read, decompressed or decoded) carries the right code, and is
 * logged. A Connect unary size refusal answers HTTP 413.
 */
export function withRequestErrors(handler: UniversalHandler, opt: RequestDecodingOptions): UniversalHandler {
  const method = handler.method;
  const wrapped = async (req: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const res = await handler(req);
    if (req.contextValues?.get(reachedInterceptorsKey) === true) return res;
    const fix = (e: ConnectError) => {
      const fixed = requestError(e, method, opt, req.header);
      opt.refused(method, fixed, req.contextValues);
      return fixed;
    };
    switch (rpcProtocolOf(req.header.get("content-type"))) {
      case "connect": {
        if (res.status === 200 || !(res.header?.get("content-type") ?? "").startsWith("application/json")) return res;
        const raw = await readAll(res.body);
        const bytes = await decompressed(raw, res.header?.get("content-encoding") ?? null, opt);
        if (bytes === undefined) return { ...res, body: once(raw) };
        const e = fix(errorFromJsonBytes(bytes, undefined, new ConnectError(`HTTP ${res.status}`, Code.Unknown)));
        const body = errorToJsonBytes(e, {});
        const header = new Headers(res.header);
        header.delete("content-encoding");
        header.set("content-length", String(body.byteLength));
        return {
          ...res,
          status: e.code === Code.ResourceExhausted ? 413 : codeToHttpStatus(e.code),
          header,
          body: once(body),
        };
      }
      case "grpc": {
        const trailer = res.trailer;
        const status = trailer?.get("grpc-status");
        if (trailer === undefined || status == null || status === "0") return res;
        const e = fix(new ConnectError(decodeURIComponent(trailer.get("grpc-message") ?? ""), Number(status)));
        setStatus(trailer, e, status);
        return res;
      }
      case "grpc-web": {
        const raw = await readAll(res.body);
        const out: Uint8Array[] = [];
        let at = 0;
        while (at + 5 <= raw.byteLength) {
          const flags = raw[at]!;
          const len = new DataView(raw.buffer, raw.byteOffset + at + 1, 4).getUint32(0);
          const data = raw.subarray(at + 5, at + 5 + len);
          const plain =
            (flags & trailerFlag) === 0
              ? undefined
              : await decompressed(data, (flags & 1) === 0 ? null : (res.header?.get("grpc-encoding") ?? null), opt);
          const trailer = plain === undefined ? undefined : trailerParse(plain);
          const status = trailer?.get("grpc-status");
          if (trailer === undefined || status == null || status === "0") out.push(raw.subarray(at, at + 5 + len));
          else {
            const e = fix(new ConnectError(decodeURIComponent(trailer.get("grpc-message") ?? ""), Number(status)));
            setStatus(trailer, e, status);
            out.push(encodeEnvelope(trailerFlag, trailerSerialize(trailer)));
          }
          at += 5 + len;
        }
        return { ...res, body: once(new Uint8Array(Buffer.concat(out))) };
      }
      case "connect-stream":
        return res; // streams are decoded inside the interceptors
    }
  };
  return Object.assign(wrapped, {
    service: handler.service,
    method: handler.method,
    requestPath: handler.requestPath,
    supportedContentType: handler.supportedContentType,
    protocolNames: handler.protocolNames,
    allowedMethods: handler.allowedMethods,
  });
}

function setStatus(trailer: Headers, e: ConnectError, was: string) {
  if (String(e.code) !== was) trailer.delete("grpc-status-details-bin");
  trailer.set("grpc-status", String(e.code));
  trailer.set("grpc-message", encodeURIComponent(e.rawMessage));
}

/**
 * The first interceptor: marks that the request decoded, and for a streaming RPC corrects the
 * code of what its request stream throws while the handler reads it.
 */
export function createRequestDecodingInterceptor(opt: RequestDecodingOptions): Interceptor {
  return (next) => async (req) => {
    req.contextValues.set(reachedInterceptorsKey, true);
    if (!req.stream) return next(req);
    const input = req.message;
    const method = req.method;
    async function* checked() {
      try {
        yield* input;
      } catch (e) {
        const fixed = requestError(e, method, opt, req.header);
        // A client that went away is not a refusal.
        if (![Code.Canceled, Code.Aborted, Code.DeadlineExceeded].includes(fixed.code))
          opt.refused(method, fixed, req.contextValues);
        throw fixed;
      }
    }
    return next({ ...req, message: checked() });
  };
}
