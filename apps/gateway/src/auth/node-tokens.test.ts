import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { claimsNodeAudience, createNodeTokenVerifier, issueNodeToken, verifyNodeToken } from "./node-tokens.js";
import { issueToken, verifyToken } from "./session-tokens.js";

const key = new Uint8Array(randomBytes(32));
const node = { nodeId: `node_${"ab".repeat(16)}`, session: 3 };

describe("node tokens", () => {
  it("round-trip the node id and session, and expire when told", async () => {
    const { token, expiresAt } = await issueNodeToken(key, node, 60);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(await verifyNodeToken(key, token)).toEqual({ ok: true, node });
    expect(claimsNodeAudience(token)).toBe(true);
    expect(await verifyNodeToken(new Uint8Array(randomBytes(32)), token)).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyNodeToken(key, undefined)).toEqual({ ok: false, reason: "missing" });
    const expired = await new SignJWT({ ses: 1 })
      .setProtectedHeader({ alg: "HS256", typ: "cyxwiz-node+jwt" })
      .setSubject(node.nodeId)
      .setIssuer("cyxwiz-gateway")
      .setAudience("cyxwiz-node")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(key);
    expect(await verifyNodeToken(key, expired)).toEqual({ ok: false, reason: "node_expired" });
  });

  it("are never taken for a person's token, and a person's token never for a node's", async () => {
    const { token: nodeToken } = await issueNodeToken(key, node, 60);
    expect(await verifyToken(key, nodeToken)).toEqual({ ok: false, reason: "invalid" });
    const { token: personToken } = await issueToken(key, { username: "alice", admin: true }, 1);
    expect(claimsNodeAudience(personToken)).toBe(false);
    expect(await verifyNodeToken(key, personToken)).toEqual({ ok: false, reason: "invalid" });
    // A person's token relabelled with the node audience but without the node type and claims.
    const forged = await new SignJWT({ ses: 1 })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject("alice")
      .setIssuer("cyxwiz-gateway")
      .setAudience("cyxwiz-node")
      .setExpirationTime("1h")
      .sign(key);
    expect(await verifyNodeToken(key, forged)).toEqual({ ok: false, reason: "invalid" });
    expect(claimsNodeAudience("not a jwt")).toBe(false);
  });

  it("are refused once the node registered again, was lost or left, and when nodes cannot be read", async () => {
    const { token } = await issueNodeToken(key, node, 60);
    const verifierFor = (current: { session: number; state: string } | undefined | Error) =>
      createNodeTokenVerifier({
        jwtKey: key,
        currentNode: async () => {
          if (current instanceof Error) throw current;
          return current;
        },
      });
    expect(await verifierFor({ session: 3, state: "busy" }).verify(token)).toEqual({ ok: true, node });
    expect(await verifierFor({ session: 4, state: "idle" }).verify(token)).toEqual({
      ok: false,
      reason: "node_superseded",
    });
    expect(await verifierFor({ session: 3, state: "lost" }).verify(token)).toEqual({ ok: false, reason: "node_lost" });
    expect(await verifierFor({ session: 3, state: "left" }).verify(token)).toEqual({ ok: false, reason: "node_left" });
    expect(await verifierFor(undefined).verify(token)).toEqual({ ok: false, reason: "invalid" });
    expect(await verifierFor(new Error("db down")).verify(token)).toEqual({ ok: false, reason: "unavailable" });
  });
});
