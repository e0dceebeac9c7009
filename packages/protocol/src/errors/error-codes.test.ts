import { describe, expect, it } from "vitest";
import errorsDoc from "../../../../docs/errors.md?raw";
import { AckStatus } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import { ackStatusOf, ERROR_CODES, isProtocolError, ProtocolError } from "./error-codes.js";

describe("error catalogue", () => {
  const rows = new Map<string, string>();
  for (const line of errorsDoc.split("\n")) {
    const m = /^\| `(CYXW_ERR_[A-Z_]+)` \| ([A-Z_—]+) \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }

  it("docs/errors.md documents exactly the codes of the catalogue, with the same AckStatus", () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, { ack }] of Object.entries(ERROR_CODES)) {
      expect(rows.get(code), code).toBe(ack === undefined ? "—" : AckStatus[ack]);
    }
  });

  it("ProtocolError is recognised by name and carries its code", () => {
    const e = new ProtocolError("CYXW_ERR_FCS", "frame 3: bad FCS");
    expect(isProtocolError(e)).toBe(true);
    expect(isProtocolError({ name: "ProtocolError" })).toBe(true);
    expect(isProtocolError(new Error("x"))).toBe(false);
    expect(e.message).toBe("CYXW_ERR_FCS: frame 3: bad FCS");
    expect(ackStatusOf(e.code)).toBe(AckStatus.ACK_FCS_ERROR);
  });
});
