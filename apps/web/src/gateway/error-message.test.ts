import { Code, ConnectError } from "@connectrpc/connect";
import { ClientError } from "@cyxwiz/client";
import { describe, expect, it } from "vitest";
import { errorMessage, isAuthFailure } from "./error-message.js";

describe("errorMessage", () => {
  it("shows the gateway's own message with what the dashboard was doing", () => {
    const e = new ConnectError("dataset mnist@v3 does not exist", Code.NotFound);
    expect(errorMessage(e, "Verifying mnist@v3")).toBe("Verifying mnist@v3 failed: dataset mnist@v3 does not exist.");
  });

  it("tells the person to sign in again when the session is refused", () => {
    const e = new ConnectError("the token has expired", Code.Unauthenticated);
    expect(errorMessage(e, "Loading your datasets")).toBe(
      "Loading your datasets failed: the gateway refused your session (the token has expired). Sign in again.",
    );
    expect(isAuthFailure(e)).toBe(true);
  });

  it("says a refused sign-in is about the credentials, not a session", () => {
    const e = new ConnectError("unknown username or wrong password", Code.Unauthenticated);
    expect(errorMessage(e, "Signing in", { signingIn: true })).toBe(
      "Signing in failed: unknown username or wrong password.",
    );
  });

  it("says the gateway cannot be reached when the browser's fetch failed", () => {
    const e = new ConnectError("Failed to fetch", Code.Unknown);
    expect(errorMessage(e, "Signing in")).toMatch(/^Signing in failed: cannot reach the gateway\./);
    expect(isAuthFailure(e)).toBe(false);
  });

  it("keeps the upload engine's message and adds what to do next", () => {
    const e = new ClientError(
      "CYXW_CLIENT_AUTH",
      "GetGatewayInfo at http://127.0.0.1:8080: the gateway refused the token: expired",
    );
    expect(errorMessage(e, "Uploading a.csv")).toBe(
      "Uploading a.csv failed: GetGatewayInfo at http://127.0.0.1:8080: the gateway refused the token: expired. Sign in again, then retry.",
    );
    expect(isAuthFailure(e)).toBe(true);
  });

  it("does not double a full stop the message already has", () => {
    const e = new ClientError("CYXW_CLIENT_REFUSED", "chunk 3 was refused.");
    expect(errorMessage(e, "Uploading")).toBe("Uploading failed: chunk 3 was refused.");
  });

  it("falls back to the message of any other error", () => {
    expect(errorMessage(new TypeError("bad input"), "Reading the file")).toBe("Reading the file failed: bad input.");
    expect(errorMessage("plain", "Doing")).toBe("Doing failed: plain.");
  });
});
