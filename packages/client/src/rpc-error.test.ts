import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ClientError, isClientError } from "./client-error.js";
import { isTransient, toClientError } from "./rpc-error.js";

describe("toClientError", () => {
  it("maps Connect's codes to the client's stable codes, keeping the gateway's message", () => {
    const cases: Array<[Code, string]> = [
      [Code.Unauthenticated, "CYXW_CLIENT_AUTH"],
      [Code.PermissionDenied, "CYXW_CLIENT_AUTH"],
      [Code.Unavailable, "CYXW_CLIENT_UNREACHABLE"],
      [Code.DeadlineExceeded, "CYXW_CLIENT_UNREACHABLE"],
      [Code.NotFound, "CYXW_CLIENT_NOT_FOUND"],
      [Code.InvalidArgument, "CYXW_CLIENT_REFUSED"],
      [Code.FailedPrecondition, "CYXW_CLIENT_REFUSED"],
      [Code.AlreadyExists, "CYXW_CLIENT_REFUSED"],
      [Code.Unimplemented, "CYXW_CLIENT_PROTOCOL"],
      [Code.Internal, "CYXW_CLIENT_GATEWAY"],
      [Code.Canceled, "CYXW_CLIENT_CANCELLED"],
    ];
    for (const [code, expected] of cases) {
      const e = toClientError(
        new ConnectError("CYXW_ERR_MANIFEST: the root differs", code),
        "CommitUpload at http://gw",
      );
      expect(e.code, Code[code]).toBe(expected);
      expect(e.message).toMatch(/^CommitUpload at http:\/\/gw: .*: CYXW_ERR_MANIFEST: the root differs$/);
      expect(isClientError(e)).toBe(true);
    }
  });

  it("names the network error of an unreachable gateway, and a browser's failed fetch", () => {
    const refused = new ConnectError(
      "connect ECONNREFUSED 127.0.0.1:1",
      Code.Unavailable,
      undefined,
      undefined,
      Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    );
    expect(toClientError(refused, "ListDatasets").message).toBe("ListDatasets: cannot reach the gateway: ECONNREFUSED");
    expect(toClientError(new TypeError("Failed to fetch"), "ListDatasets").code).toBe("CYXW_CLIENT_UNREACHABLE");
  });

  it("passes a ClientError through and tells transient failures from final ones", () => {
    const own = new ClientError("CYXW_CLIENT_KEY", "no key");
    expect(toClientError(own, "x")).toBe(own);
    expect(isTransient(new ConnectError("down", Code.Unavailable))).toBe(true);
    expect(isTransient(new ConnectError("reset", Code.Aborted))).toBe(true);
    expect(isTransient(new ConnectError("no", Code.InvalidArgument))).toBe(false);
    expect(isTransient(new ClientError("CYXW_CLIENT_UNREACHABLE", "down"))).toBe(true);
    expect(isTransient(new ClientError("CYXW_CLIENT_AUTH", "no"))).toBe(false);
    expect(isTransient(new Error("EIO: the disk failed"))).toBe(false);
  });

  it("a refused certificate or failed TLS handshake is CYXW_CLIENT_TLS, never retried", () => {
    const cert = Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    const internal = new ConnectError("self-signed certificate", Code.Internal, undefined, undefined, cert);
    const e = toClientError(internal, "ListDatasets at https://gw");
    expect(e.code).toBe("CYXW_CLIENT_TLS");
    expect(e.message).toBe(
      "ListDatasets at https://gw: the gateway's TLS certificate or handshake was refused: self-signed certificate [DEPTH_ZERO_SELF_SIGNED_CERT]",
    );
    expect(isTransient(internal)).toBe(false);
    const name = Object.assign(new Error("Hostname/IP does not match"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    expect(toClientError(new ConnectError("x", Code.Unknown, undefined, undefined, name), "x").code).toBe(
      "CYXW_CLIENT_TLS",
    );
    const pin = new ClientError("CYXW_CLIENT_TLS", "the pin differs");
    const viaConnect = new ConnectError("the pin differs", Code.Internal, undefined, undefined, pin);
    expect(toClientError(viaConnect, "GetDataset").message).toBe("GetDataset: the pin differs");
    expect(isTransient(new ClientError("CYXW_CLIENT_TLS", "no"))).toBe(false);
  });

  it("isClientError recognises the shape by name, not by class", () => {
    expect(isClientError({ name: "ClientError", code: "CYXW_CLIENT_AUTH", message: "x" })).toBe(true);
    expect(isClientError({ name: "ClientError", code: "SOMETHING_ELSE" })).toBe(false);
    expect(isClientError(new Error("x"))).toBe(false);
    expect(isClientError(null)).toBe(false);
  });
});
