import { createHash } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeIdOf, registrationMessage, verifySignature } from "@cyxwiz/protocol/crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IDENTITY_FILE, loadOrCreateNodeIdentity } from "./node-identity.js";
import { isNodeIdentityError } from "./worker-errors.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-identity-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    if (isNodeIdentityError(e)) return e;
    throw e;
  }
  throw new Error("expected a NodeIdentityError");
}

describe("loadOrCreateNodeIdentity", () => {
  it("creates identity.json once, mode 0600, and reuses it on the next start", async () => {
    const first = await loadOrCreateNodeIdentity(join(dir, "data"));
    expect(first.created).toBe(true);
    const path = join(dir, "data", IDENTITY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "data"))).mode & 0o777).toBe(0o700);
    const before = await readFile(path, "utf8");

    const second = await loadOrCreateNodeIdentity(join(dir, "data"));
    expect(second.created).toBe(false);
    expect(second.identity.nodeId).toBe(first.identity.nodeId);
    expect(second.identity.signing.publicKey).toEqual(first.identity.signing.publicKey);
    expect(second.identity.agreement.publicKey).toEqual(first.identity.agreement.publicKey);
    expect(await readFile(path, "utf8")).toBe(before);
  });

  it("derives the node id from SHA-256 of the Ed25519 public key", async () => {
    const { identity } = await loadOrCreateNodeIdentity(dir);
    const sha = createHash("sha256").update(identity.signing.publicKey).digest("hex");
    expect(identity.nodeId).toBe(`node_${sha.slice(0, 32)}`);
    expect(nodeIdOf(identity.signing.publicKey)).toBe(identity.nodeId);
  });

  it("gives two daemons starting at once the same identity", async () => {
    const [a, b] = await Promise.all([loadOrCreateNodeIdentity(dir), loadOrCreateNodeIdentity(dir)]);
    expect(a.identity.nodeId).toBe(b.identity.nodeId);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
  });

  it("refuses a group- or world-readable identity file and leaves it as it was", async () => {
    await loadOrCreateNodeIdentity(dir);
    const path = join(dir, IDENTITY_FILE);
    const before = await readFile(path, "utf8");
    for (const mode of [0o640, 0o604]) {
      await chmod(path, mode);
      const e = await refusal(loadOrCreateNodeIdentity(dir));
      expect(e.code).toBe("IDENTITY_PERMISSIONS");
      expect(e.message).toContain(path);
      expect(e.message).toContain(mode.toString(8));
    }
    expect(await readFile(path, "utf8")).toBe(before);
  });

  it("refuses a malformed file, naming the file and the field, and does not replace it", async () => {
    const path = join(dir, IDENTITY_FILE);
    await writeFile(path, "{not json", { mode: 0o600 });
    const notJson = await refusal(loadOrCreateNodeIdentity(dir));
    expect(notJson.code).toBe("IDENTITY_MALFORMED");
    expect(notJson.message).toContain(path);
    expect(await readFile(path, "utf8")).toBe("{not json");

    await rm(path);
    const { identity } = await loadOrCreateNodeIdentity(dir);
    const o = JSON.parse(await readFile(path, "utf8"));
    o.x25519.publicKey = o.ed25519.publicKey; // a key that does not match its secret
    await writeFile(path, JSON.stringify(o), { mode: 0o600 });
    const mismatch = await refusal(loadOrCreateNodeIdentity(dir));
    expect(mismatch.message).toMatch(/x25519\.publicKey" does not match/);

    o.x25519.publicKey = Buffer.from(identity.agreement.publicKey).toString("hex");
    o.ed25519.secretKey = "zz";
    await writeFile(path, JSON.stringify(o), { mode: 0o600 });
    expect((await refusal(loadOrCreateNodeIdentity(dir))).message).toMatch(/ed25519\.secretKey" is not 64/);
  });
});

describe("signChallenge", () => {
  it("signs the registration message for this nonce and this node's keys, and no other nonce", async () => {
    const { identity } = await loadOrCreateNodeIdentity(dir);
    const nonce = new Uint8Array(32).fill(7);
    const signature = identity.signChallenge(nonce);
    const message = (n: Uint8Array) =>
      registrationMessage({
        nonce: n,
        signingPublicKey: identity.signing.publicKey,
        agreementPublicKey: identity.agreement.publicKey,
      });
    expect(verifySignature(identity.signing.publicKey, message(nonce), signature)).toBe(true);
    expect(verifySignature(identity.signing.publicKey, message(new Uint8Array(32).fill(8)), signature)).toBe(false);
    const otherX = registrationMessage({
      nonce,
      signingPublicKey: identity.signing.publicKey,
      agreementPublicKey: new Uint8Array(32).fill(9),
    });
    expect(verifySignature(identity.signing.publicKey, otherX, signature)).toBe(false);
    expect(() => identity.signChallenge(new Uint8Array(8))).toThrow(RangeError);
  });
});
