import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { DatasetService } from "@cyxwiz/protocol/gen";

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/**
 * RFC 6962 §2.1 Merkle tree hash, written here from the RFC and independently of the protocol
 * package: MTH({d0}) = SHA-256(0x00 || d0); MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
 * with k the largest power of two smaller than n. The leaves' data are the chunk digests.
 */
export function rfc6962Root(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return sha256(new Uint8Array([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(new Uint8Array([1]), rfc6962Root(leaves.slice(0, k)), rfc6962Root(leaves.slice(k)));
}

/** The dataset version's manifest, through the gateway's API. */
export async function fetchManifest(url: string, token: string, ref: string) {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const client = createClient(
    DatasetService,
    createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer] }),
  );
  return client.getDataset({ ref });
}

/**
 * Recomputes a stored dataset's Merkle root from the chunk files in the gateway's data directory:
 * every file must hash to its name, and the root comes from those hashes, not from any stored
 * root. Returns the root as hex.
 */
export async function rootFromStoredChunks(dataDir: string, digests: Uint8Array[]): Promise<string> {
  const hashes: Uint8Array[] = [];
  for (const d of digests) {
    const hex = Buffer.from(d).toString("hex");
    const bytes = await readFile(join(dataDir, "chunks", hex.slice(0, 2), hex));
    const h = sha256(bytes);
    if (Buffer.from(h).toString("hex") !== hex) throw new Error(`stored chunk ${hex} does not hash to its name`);
    hashes.push(h);
  }
  return Buffer.from(rfc6962Root(hashes)).toString("hex");
}
