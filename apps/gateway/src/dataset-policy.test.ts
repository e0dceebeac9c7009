import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { wrapDatasetKey } from "@cyxwiz/protocol/crypto";
import { DataClassification, DatasetService } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Clients,
  initiate,
  openFrames,
  packForUpload,
  type RunningGateway,
  startGateway,
} from "../test-support/gateway-harness.js";
import { createExpirySweeper, EXPIRY_ACTOR } from "./datasets/expiry-sweeper.js";
import { CONTROL_BODY_BYTES, createBodyCaps } from "./http/body-limits.js";

// The data policy RPCs end to end (docs/data-policy.md): the owner reads and sets a version's
// policy (audited, old and new), anyone else is answered as for a missing dataset, refused
// policies leave the stored one as it was, escrow is refused above Internal, and the expiry
// sweeper deletes a version (rows and blobs) once a clock the test controls passes its expiry.

let gw: RunningGateway;
let admin: Clients;
let bob: Clients;
const p = await loadPrimitives();

beforeAll(async () => {
  gw = await startGateway();
  admin = gw.clients(gw.adminToken);
  await admin.auth.createUser({ username: "bob", password: "bob-password" });
  bob = gw.clients((await gw.clients("").auth.login({ username: "bob", password: "bob-password" })).token);
});
afterAll(async () => {
  await gw.stop();
});

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    const ce = ConnectError.from(e);
    return { code: Code[ce.code], message: ce.rawMessage };
  }
  throw new Error("the call was accepted");
}

/** Uploads and commits `name` (one chunk or a few) as admin. */
async function upload(
  name: string,
  options: { encrypt?: boolean; classification?: DataClassification; escrow?: boolean; size?: number } = {},
) {
  const packed = await packForUpload(randomBytes(options.size ?? 3000), {
    chunkSize: 4096,
    name,
    encrypt: options.encrypt ?? false,
    classification: options.classification ?? DataClassification.PUBLIC,
  });
  const { transferId, recipientPublicKey } = await initiate(admin, packed);
  const socket = await openFrames(gw.url, transferId, gw.adminToken);
  for (const f of packed.frames) socket.send(f);
  await socket.waitFor(packed.frames.length + 1);
  socket.close();
  const escrowedKey = options.escrow === true ? await wrapDatasetKey(p, packed.key!, recipientPublicKey) : undefined;
  return { packed, transferId, escrowedKey };
}

const blobCount = async () => {
  let n = 0;
  for (const d of await readdir(join(gw.dataDir, "chunks")).catch(() => []))
    n += (await readdir(join(gw.dataDir, "chunks", d)).catch(() => [])).length;
  return n;
};

describe("GetDatasetPolicy and SetDatasetPolicy", () => {
  it("gives the owner the level's defaults and sets a tighter policy, audited with old and new", async () => {
    const { packed, transferId } = await upload("census", {
      encrypt: true,
      classification: DataClassification.INTERNAL,
    });
    const { version } = await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    expect(version!.policy).toMatchObject({
      classification: DataClassification.INTERNAL,
      encryptionRequired: false,
      keyEscrowAllowed: true,
      minReputation: 25,
      thirdPartyWorkersAllowed: false,
      cacheTtlHours: 72,
    });
    expect(version!.policy!.expireAfterDays).toBeUndefined();

    const set = await admin.datasets.setDatasetPolicy({
      ref: "census",
      classification: DataClassification.CONFIDENTIAL,
      overrides: { minReputation: 80, allowedRegions: ["eu", "us-east-1"], expireAfterDays: 30 },
    });
    expect(set.version).toMatchObject({ ref: "census@v1", classification: DataClassification.CONFIDENTIAL });
    const got = await admin.datasets.getDatasetPolicy({ ref: "census@v1" });
    expect(got.ref).toBe("census@v1");
    expect(got.policy).toMatchObject({
      classification: DataClassification.CONFIDENTIAL,
      encryptionRequired: true,
      keyEscrowAllowed: false,
      minReputation: 80,
      allowedRegions: ["eu", "us-east-1"],
      cacheTtlHours: 24,
      secureDelete: true,
      expireAfterDays: 30,
    });
    const created = Number(version!.createdAt!.seconds) * 1000 + Math.floor(version!.createdAt!.nanos / 1e6);
    const expires = Number(got.policy!.expiresAt!.seconds) * 1000 + Math.floor(got.policy!.expiresAt!.nanos / 1e6);
    expect(expires - created).toBe(30 * 24 * 3600 * 1000);
    // The listing shows the new classification and policy too.
    expect(
      (await admin.datasets.listDatasets({})).datasets.find((d) => d.name === "census")?.policy?.minReputation,
    ).toBe(80);

    const [entry] = await gw.gateway.deps.store.audit.list({ subject: "dataset:admin/census@v1", limit: 1 });
    expect(entry).toMatchObject({ actor: "user:admin", action: "dataset.policy.read" });
    const setEntry = (await gw.gateway.deps.store.audit.list({ subject: "dataset:admin/census@v1" })).find(
      (e) => e.action === "dataset.policy.set",
    );
    expect(setEntry?.actor).toBe("user:admin");
    expect(setEntry?.detail).toMatchObject({
      before: { classification: "internal", minReputation: 25 },
      after: { classification: "confidential", minReputation: 80, expireAfterDays: 30 },
      changes: {
        classification: { before: "internal", after: "confidential" },
        expireAfterDays: { before: null, after: 30 },
      },
    });
  });

  it("answers anyone but the owner as for a dataset that does not exist", async () => {
    const { packed, transferId } = await upload("private-set");
    await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    const existing = await refusal(bob.datasets.getDatasetPolicy({ ref: "admin/private-set" }));
    const missing = await refusal(bob.datasets.getDatasetPolicy({ ref: "admin/no-such-set" }));
    expect(existing).toEqual({ code: "NotFound", message: "dataset admin/private-set not found" });
    expect(missing).toEqual({ code: "NotFound", message: "dataset admin/no-such-set not found" });
    const set = await refusal(
      bob.datasets.setDatasetPolicy({ ref: "admin/private-set", classification: DataClassification.TOP_SECRET }),
    );
    expect(set.code).toBe("NotFound");
    // Bob's own namespace has no such dataset either.
    expect((await refusal(bob.datasets.getDatasetPolicy({ ref: "private-set" }))).code).toBe("NotFound");
    expect((await admin.datasets.getDatasetPolicy({ ref: "private-set" })).policy?.classification).toBe(
      DataClassification.PUBLIC,
    );
  });

  it("refuses overrides that loosen or are malformed, naming the field, and keeps the stored policy", async () => {
    const { packed, transferId } = await upload("strict", {
      encrypt: true,
      classification: DataClassification.RESTRICTED,
    });
    await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    const before = await admin.datasets.getDatasetPolicy({ ref: "strict" });
    const cases: [Parameters<typeof admin.datasets.setDatasetPolicy>[0], RegExp][] = [
      [
        { ref: "strict", classification: DataClassification.CONFIDENTIAL, overrides: { encryptionRequired: false } },
        /^CYXW_ERR_POLICY: encryptionRequired: /,
      ],
      [
        { ref: "strict", classification: DataClassification.RESTRICTED, overrides: { minReputation: 10 } },
        /^CYXW_ERR_POLICY: minReputation: .*75 or more/,
      ],
      [
        { ref: "strict", classification: DataClassification.RESTRICTED, overrides: { minReputation: 500 } },
        /^CYXW_ERR_POLICY: minReputation: must be an integer from 0 to 100/,
      ],
      [
        {
          ref: "strict",
          classification: DataClassification.RESTRICTED,
          overrides: { allowedRegions: ["eu", "Mars Base"] },
        },
        /^CYXW_ERR_POLICY: allowedRegions\[1\]: /,
      ],
      [
        { ref: "strict", classification: DataClassification.RESTRICTED, overrides: { keyEscrowAllowed: true } },
        /^CYXW_ERR_POLICY: keyEscrowAllowed: /,
      ],
      [
        { ref: "strict", classification: DataClassification.RESTRICTED, overrides: { expireAfterDays: 0 } },
        /^CYXW_ERR_POLICY: expireAfterDays: /,
      ],
      [{ ref: "strict", classification: 42 as DataClassification }, /^CYXW_ERR_POLICY: classification: /],
    ];
    for (const [request, message] of cases) {
      const r = await refusal(admin.datasets.setDatasetPolicy(request));
      expect(r.code, JSON.stringify(request.overrides)).toBe("InvalidArgument");
      expect(r.message).toMatch(message);
    }
    expect(await admin.datasets.getDatasetPolicy({ ref: "strict" })).toEqual(before);
    const audited = await gw.gateway.deps.store.audit.list({ subject: "dataset:admin/strict@v1" });
    expect(audited.filter((e) => e.action === "dataset.policy.set")).toEqual([]);
  });

  it("refuses raising unencrypted data to Confidential, and escrow above Internal", async () => {
    const plain = await upload("plain-set");
    await admin.datasets.commitUpload({ transferId: plain.transferId, manifest: plain.packed.manifest });
    const raised = await refusal(
      admin.datasets.setDatasetPolicy({ ref: "plain-set", classification: DataClassification.CONFIDENTIAL }),
    );
    expect(raised.code).toBe("FailedPrecondition");
    expect(raised.message).toMatch(/^CYXW_ERR_POLICY_VIOLATION: plain-set@v1: the version is stored unencrypted/);
    expect((await admin.datasets.getDatasetPolicy({ ref: "plain-set" })).policy?.classification).toBe(
      DataClassification.PUBLIC,
    );

    // Escrow at commit: refused for Confidential data, accepted for Internal.
    const secret = await upload("secret-set", {
      encrypt: true,
      classification: DataClassification.CONFIDENTIAL,
      escrow: true,
    });
    const escrow = await refusal(
      admin.datasets.commitUpload({
        transferId: secret.transferId,
        manifest: secret.packed.manifest,
        escrowedKey: secret.escrowedKey,
      }),
    );
    expect(escrow.code).toBe("InvalidArgument");
    expect(escrow.message).toMatch(/^CYXW_ERR_POLICY_VIOLATION: confidential data .* cannot be escrowed/);

    const escrowed = await upload("escrowed-set", {
      encrypt: true,
      classification: DataClassification.INTERNAL,
      escrow: true,
    });
    const committed = await admin.datasets.commitUpload({
      transferId: escrowed.transferId,
      manifest: escrowed.packed.manifest,
      escrowedKey: escrowed.escrowedKey,
    });
    expect(committed.version?.keyEscrowed).toBe(true);
    // ... and then raising it to a level that forbids escrow is refused.
    const up = await refusal(
      admin.datasets.setDatasetPolicy({ ref: "escrowed-set", classification: DataClassification.RESTRICTED }),
    );
    expect(up).toMatchObject({ code: "FailedPrecondition", message: expect.stringContaining("key is escrowed") });
  });

  it("takes the control RPCs' body cap", () => {
    const caps = createBodyCaps(gw.gateway.deps.config);
    expect(caps.capFor(DatasetService.method.getDatasetPolicy)).toBe(CONTROL_BODY_BYTES);
    expect(caps.capFor(DatasetService.method.setDatasetPolicy)).toBe(CONTROL_BODY_BYTES);
  });
});

describe("the expiry sweeper", () => {
  it("deletes a version once the clock passes its expiry, and not before: rows, blobs, audited", async () => {
    const { packed, transferId } = await upload("ephemeral", { size: 10_000 });
    const { version } = await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    await admin.datasets.setDatasetPolicy({
      ref: "ephemeral",
      classification: DataClassification.PUBLIC,
      overrides: { expireAfterDays: 7 },
    });
    const policy = (await admin.datasets.getDatasetPolicy({ ref: "ephemeral" })).policy!;
    const expiresAt = new Date(Number(policy.expiresAt!.seconds) * 1000 + Math.floor(policy.expiresAt!.nanos / 1e6));
    let now = new Date(expiresAt.getTime() - 1);
    // The gateway's own sweeper runs on the real clock, weeks before this expiry; this one runs on ours.
    const sweeper = createExpirySweeper({ deps: gw.gateway.deps, intervalMs: 60_000, now: () => now });
    const blobsBefore = await blobCount();

    expect((await sweeper.sweepOnce()).deleted).toEqual([]);
    expect((await admin.datasets.getDataset({ ref: "ephemeral" })).version?.ref).toBe("ephemeral@v1");

    now = expiresAt;
    const swept = await sweeper.sweepOnce();
    expect(swept.deleted).toEqual([{ owner: "admin", name: "ephemeral", version: 1, expiresAt }]);
    expect(swept.blobsDeleted).toBe(version!.numChunks);
    expect(await blobCount()).toBe(blobsBefore - version!.numChunks);
    expect((await refusal(admin.datasets.getDataset({ ref: "ephemeral" }))).code).toBe("NotFound");
    expect((await refusal(admin.transfer.getTransferStatus({ transferId }))).code).toBe("NotFound");
    const [entry] = await gw.gateway.deps.store.audit.list({ subject: "dataset:admin/ephemeral@v1", limit: 1 });
    expect(entry).toMatchObject({
      actor: EXPIRY_ACTOR,
      action: "dataset.expire",
      detail: { expiresAt: expiresAt.toISOString(), sweptAt: expiresAt.toISOString() },
    });
    // Nothing else was due.
    expect((await sweeper.sweepOnce()).deleted).toEqual([]);
    expect((await admin.datasets.getDataset({ ref: "census" })).version?.ref).toBe("census@v1");
    await sweeper.stop();
  });
});
