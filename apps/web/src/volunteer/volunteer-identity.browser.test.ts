import { updateMessage, verifySignature, x25519PublicKey } from "@cyxwiz/protocol/crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  forgetVolunteerIdentity,
  loadOrCreateVolunteerIdentity,
  VOLUNTEER_DB_NAME,
  workerIdentity,
} from "./volunteer-identity.js";

const gateway = "https://gateway.test";

afterEach(async () => {
  await new Promise<void>((resolve) => {
    const del = indexedDB.deleteDatabase(VOLUNTEER_DB_NAME);
    del.onsuccess = del.onerror = del.onblocked = () => resolve();
  });
});

describe("volunteer identity", () => {
  it("is made on first use and the same node comes back after (a reload of the page)", async () => {
    const first = await loadOrCreateVolunteerIdentity(gateway);
    expect(first.nodeId).toMatch(/^node_[0-9a-f]{32}$/);
    const again = await loadOrCreateVolunteerIdentity(gateway);
    expect(again.nodeId).toBe(first.nodeId);
    expect([...again.agreement.publicKey]).toEqual([...first.agreement.publicKey]);
    expect((await loadOrCreateVolunteerIdentity("https://other.test")).nodeId).not.toBe(first.nodeId);
  });

  it("signs with its Ed25519 key and agrees with its X25519 key, as runWorker uses them", async () => {
    const id = workerIdentity(await loadOrCreateVolunteerIdentity(gateway));
    const message = updateMessage("job_1", 2, new Uint8Array([1, 2, 3]));
    expect(verifySignature(id.signingPublicKey, message, id.sign(message))).toBe(true);
    expect([...x25519PublicKey(id.agreementSecretKey)]).toEqual([...id.agreementPublicKey]);
  });

  it("forgetting it makes a new node on the next Join", async () => {
    const first = await loadOrCreateVolunteerIdentity(gateway);
    await forgetVolunteerIdentity(gateway);
    expect((await loadOrCreateVolunteerIdentity(gateway)).nodeId).not.toBe(first.nodeId);
  });

  it("a damaged record is refused with a message and left in place", async () => {
    await loadOrCreateVolunteerIdentity(gateway);
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open(VOLUNTEER_DB_NAME);
      open.onsuccess = () => resolve(open.result);
    });
    await new Promise<void>((resolve) => {
      const tx = db.transaction("identities", "readwrite");
      tx.objectStore("identities").put({
        gateway,
        signingSeed: new Uint8Array(5),
        agreementSecret: new Uint8Array(32),
        createdAt: "",
      });
      tx.oncomplete = () => resolve();
    });
    db.close();
    await expect(loadOrCreateVolunteerIdentity(gateway)).rejects.toThrow(/damaged.*32 bytes/);
    await expect(loadOrCreateVolunteerIdentity(gateway)).rejects.toThrow(/damaged/);
  });
});
