import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateX25519KeyPair, x25519PublicKey } from "@cyxwiz/protocol/crypto";

/** The gateway's own keys, kept in the data directory with mode 0600. */
export interface GatewaySecrets {
  /** HMAC key signing the JWTs (HS256). */
  readonly jwtKey: Uint8Array;
  /** X25519 key pair datasets keys are escrowed to (Public and Internal data only). */
  readonly escrow: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array };
}

async function readOrCreate(path: string, create: () => Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(Buffer.from((await readFile(path, "utf8")).trim(), "hex"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const value = create();
  try {
    await writeFile(path, `${Buffer.from(value).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    return value;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return new Uint8Array(Buffer.from((await readFile(path, "utf8")).trim(), "hex")); // another process won the race
  }
}

/** Loads the gateway's keys from `dataDir`, creating them on first start. */
export async function loadGatewaySecrets(dataDir: string): Promise<GatewaySecrets> {
  const jwtKey = await readOrCreate(join(dataDir, "jwt-key"), () => new Uint8Array(randomBytes(32)));
  const escrowSecret = await readOrCreate(join(dataDir, "escrow-key"), () => generateX25519KeyPair().secretKey);
  return { jwtKey, escrow: { secretKey: escrowSecret, publicKey: x25519PublicKey(escrowSecret) } };
}
