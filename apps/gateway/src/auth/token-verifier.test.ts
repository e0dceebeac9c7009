import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issueToken, newTokenId } from "./session-tokens.js";
import { createTokenVerifier } from "./token-verifier.js";

const key = new Uint8Array(randomBytes(32));
const alice = { username: "alice", admin: false };

describe("the token verifier", () => {
  it("reads revocations at most once per cache period, and takes another replica's within it", async () => {
    const { token, id } = await issueToken(key, alice, 1, newTokenId("api"));
    const stored: string[] = [];
    let reads = 0;
    const verifier = createTokenVerifier({
      jwtKey: key,
      cacheMs: 200,
      revokedIds: async () => {
        reads++;
        return [...stored];
      },
    });
    expect(await verifier.verify(token)).toMatchObject({ ok: true, principal: alice, tokenId: id });
    await Promise.all([verifier.verify(token), verifier.verify(token), verifier.verify(token)]);
    expect(reads).toBe(1);
    stored.push(id); // revoked elsewhere
    expect((await verifier.verify(token)).ok).toBe(true); // still cached
    await new Promise((r) => setTimeout(r, 250));
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: "revoked" });
    expect(reads).toBe(2);
  });

  it("takes its own revocations at once, even when a read that began before them ends after", async () => {
    const { token, id } = await issueToken(key, alice, 1, newTokenId("api"));
    const reads: Array<(ids: string[]) => void> = [];
    const verifier = createTokenVerifier({
      jwtKey: key,
      cacheMs: 0,
      revokedIds: () => new Promise((resolve) => reads.push(resolve)),
    });
    /** Answers the next read of the store with `ids`, once the verifier has begun it. */
    const answerRead = async (ids: string[]) => {
      while (reads.length === 0) await new Promise((r) => setTimeout(r, 1));
      reads.shift()!(ids);
    };
    const pending = verifier.verify(token);
    while (reads.length === 0) await new Promise((r) => setTimeout(r, 1)); // the read has begun
    verifier.revoked(id);
    await answerRead([]); // it saw the database before the revocation
    expect(await pending).toEqual({ ok: false, reason: "revoked" });
    const later = verifier.verify(token);
    await answerRead([id]); // the next read sees it in the database
    expect(await later).toEqual({ ok: false, reason: "revoked" });
  });

  it("refuses tokens when revocations cannot be read, and says why", async () => {
    const { token } = await issueToken(key, alice, 1);
    const errors: unknown[] = [];
    const verifier = createTokenVerifier({
      jwtKey: key,
      revokedIds: async () => {
        throw new Error("database down");
      },
      onReadError: (e) => errors.push(e),
    });
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: "unavailable" });
    expect(errors).toHaveLength(1);
    expect(await verifier.verify(undefined)).toEqual({ ok: false, reason: "missing" }); // no read needed
  });
});
