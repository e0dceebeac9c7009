import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { StorageUsage, TransferRecord } from "../store/index.js";
import { admitWithinQuota, quotaUsed, transferBound } from "./user-quota.js";

const transfer = (sizes: Pick<TransferRecord, "chunkSize" | "totalSize" | "encrypted">) => sizes as TransferRecord;

describe("per-user quota", () => {
  it("bounds a transfer by its declared layout: every chunk raw, plus 16 bytes of GCM tag each when encrypted", () => {
    expect(transferBound({ chunkSize: 1000, totalSize: 2500, encrypted: false })).toBe(2500);
    expect(transferBound({ chunkSize: 1000, totalSize: 2500, encrypted: true })).toBe(2500 + 3 * 16);
    expect(transferBound({ chunkSize: 1000, totalSize: 0, encrypted: true })).toBe(16); // one empty chunk
    expect(() => transferBound({ chunkSize: 0, totalSize: 1, encrypted: false })).toThrow(RangeError);
  });

  it("counts committed bytes and each unfinished transfer's bound", () => {
    const usage: StorageUsage = {
      committedBytes: 500,
      unfinished: [
        transfer({ chunkSize: 100, totalSize: 250, encrypted: true }),
        transfer({ chunkSize: 100, totalSize: 100, encrypted: false }),
      ],
    };
    expect(quotaUsed(usage)).toBe(500 + 250 + 48 + 100);
    expect(quotaUsed({ committedBytes: 0, unfinished: [] })).toBe(0);
  });

  it("admits up to the quota exactly, and past it refuses with RESOURCE_EXHAUSTED saying what is used and needed", () => {
    const usage: StorageUsage = { committedBytes: 98 * 1024 ** 3, unfinished: [] };
    expect(() => admitWithinQuota(100 * 1024 ** 3, 2 * 1024 ** 3)(usage)).not.toThrow();
    let thrown: unknown;
    try {
      admitWithinQuota(100 * 1024 ** 3, 4 * 1024 ** 3)(usage);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConnectError);
    expect((thrown as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((thrown as ConnectError).rawMessage).toMatch(
      /^quota: 105 GB of 107 GB used; this transfer needs up to 4\.29 GB\. Cancel an unfinished upload/,
    );
  });
});
