import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../errors/error-codes.js";
import {
  bearerFromSubprotocols,
  CLOSE_CODES,
  FRAMES_CLOSE_REASONS,
  FRAMES_PATH_TEMPLATE,
  FRAMES_ROUTE,
  framesClose,
  framesCloseReasonOf,
  framesPath,
  framesSubprotocols,
  MAX_CLOSE_REASON_LENGTH,
  transferIdOfFramesPath,
} from "./frames-endpoint.js";

describe("frames endpoint", () => {
  it("offers the frames subprotocol first and the token second", () => {
    expect(framesSubprotocols()).toEqual(["cyxwiz.frames.v1"]);
    expect(framesSubprotocols("a.b.c")).toEqual(["cyxwiz.frames.v1", "bearer.a.b.c"]);
    expect(bearerFromSubprotocols(framesSubprotocols("a.b.c"))).toBe("a.b.c");
    expect(bearerFromSubprotocols("cyxwiz.frames.v1, bearer.t".split(","))).toBe("t");
    expect(bearerFromSubprotocols(["cyxwiz.frames.v1"])).toBeUndefined();
  });

  it("fills the path template and reads the id back", () => {
    expect(FRAMES_PATH_TEMPLATE).toBe("/v1/transfers/{transfer_id}/frames");
    expect(FRAMES_ROUTE).toBe(FRAMES_PATH_TEMPLATE.replace("{transfer_id}", ":id"));
    expect(framesPath("t-1")).toBe("/v1/transfers/t-1/frames");
    expect(framesPath("a/b")).toBe("/v1/transfers/a%2Fb/frames");
    expect(transferIdOfFramesPath("/v1/transfers/t-1/frames?x=1")).toBe("t-1");
    expect(transferIdOfFramesPath(framesPath("a/b"))).toBe("a/b");
    for (const bad of ["/v1/transfers//frames", "/v1/transfers/t/acks", "/v1/transfers/%E0/frames"]) {
      expect(transferIdOfFramesPath(bad)).toBeUndefined();
    }
  });

  it("closes with the RFC 6455 codes, each reason a catalogue code", () => {
    expect(CLOSE_CODES).toMatchObject({
      UNSUPPORTED_DATA: 1003,
      POLICY_VIOLATION: 1008,
      MESSAGE_TOO_BIG: 1009,
      INTERNAL_ERROR: 1011,
    });
    expect(FRAMES_CLOSE_REASONS).toEqual({
      CYXW_ERR_AUTH: 1008,
      CYXW_ERR_TRANSFER: 1008,
      CYXW_ERR_FRAME: 1003,
      CYXW_ERR_WINDOW: 1008,
      CYXW_ERR_STORE: 1011,
    });
    for (const [code, close] of Object.entries(FRAMES_CLOSE_REASONS)) {
      expect(Object.hasOwn(ERROR_CODES, code), code).toBe(true);
      expect(ERROR_CODES[code as keyof typeof ERROR_CODES].summary, code).toContain(`closed with ${close}`);
    }
  });

  it("builds close reasons that fit a close frame and parses them back", () => {
    expect(framesClose("CYXW_ERR_STORE", "retry later")).toEqual({ code: 1011, reason: "CYXW_ERR_STORE: retry later" });
    const long = framesClose("CYXW_ERR_AUTH", "x".repeat(500));
    expect(long.reason).toHaveLength(MAX_CLOSE_REASON_LENGTH);
    expect(framesCloseReasonOf(long.reason)).toBe("CYXW_ERR_AUTH");
    expect(framesCloseReasonOf("CYXW_ERR_FCS: bad")).toBeUndefined();
    expect(framesCloseReasonOf("CYXW_ERR_AUTH")).toBe("CYXW_ERR_AUTH");
    expect(framesCloseReasonOf("CYXW_ERR_AUTHX: no")).toBeUndefined();
    expect(framesCloseReasonOf("")).toBeUndefined();
  });
});
