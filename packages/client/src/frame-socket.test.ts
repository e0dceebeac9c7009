import { describe, expect, it } from "vitest";
import { closeError, framesUrl, isFinalClose } from "./frame-socket.js";

describe("framesUrl", () => {
  it("turns the base URL into ws(s) and fills in the transfer id", () => {
    expect(framesUrl("http://127.0.0.1:8080", "/v1/transfers/{transfer_id}/frames", "tr_1")).toBe(
      "ws://127.0.0.1:8080/v1/transfers/tr_1/frames",
    );
    expect(framesUrl("HTTPS://gw.example/api/", "/v1/transfers/{transfer_id}/frames", "a b/c")).toBe(
      "wss://gw.example/api/v1/transfers/a%20b%2Fc/frames",
    );
    expect(framesUrl("https://gw.example", "", "t")).toBe("wss://gw.example/v1/transfers/t/frames");
  });

  it("refuses a base URL that is not http(s) and a template without the id", () => {
    expect(() => framesUrl("ftp://gw", "/x/{transfer_id}", "t")).toThrow(TypeError);
    expect(() => framesUrl("http://gw", "/v1/frames", "t")).toThrow(/transfer_id/);
  });
});

describe("closeError", () => {
  it("tells a refused token, a policy close and a dropped connection apart", () => {
    expect(closeError({ code: 1008, reason: "CYXW_ERR_AUTH: token expired" }, "x").code).toBe("CYXW_CLIENT_AUTH");
    expect(closeError({ code: 1006, reason: "", detail: "Unexpected server response: 401" }, "x").code).toBe(
      "CYXW_CLIENT_AUTH",
    );
    expect(closeError({ code: 1008, reason: "CYXW_ERR_TRANSFER: the transfer is cancelled" }, "x")).toMatchObject({
      code: "CYXW_CLIENT_REFUSED",
      message: 'x (code 1008, "CYXW_ERR_TRANSFER: the transfer is cancelled")',
    });
    expect(closeError({ code: 1003, reason: "" }, "x").code).toBe("CYXW_CLIENT_PROTOCOL");
    expect(closeError({ code: 1006, reason: "" }, "x").code).toBe("CYXW_CLIENT_UNREACHABLE");
    expect(closeError({ code: 1006, reason: "", detail: "Server sent no subprotocol" }, "x").code).toBe(
      "CYXW_CLIENT_PROTOCOL",
    );
    expect([1008, 1003, 1006, 1011, 1001, 1000].map((code) => isFinalClose({ code, reason: "" }))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
