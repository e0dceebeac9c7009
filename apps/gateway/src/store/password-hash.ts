import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt (RFC 7914) from node:crypto, in the PHC string format
 * `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64 without padding), so the cost travels with each
 * hash and can be raised later without breaking stored ones.
 *
 * Defaults follow OWASP's password storage cheat sheet for scrypt: N = 2^17, r = 8, p = 1
 * (128 MiB, a few hundred ms here), a 16-byte random salt, a 32-byte key.
 */

/** Cost parameters; only tests and benchmarks should lower them. */
export interface PasswordHashOptions {
  /** log2 of scrypt's N (CPU and memory cost), 10-20; default 17. */
  readonly logN?: number;
}

/** OWASP's minimum for scrypt (N = 2^17, r = 8, p = 1); the gateway's CYXWIZ_PASSWORD_COST default. */
export const DEFAULT_PASSWORD_LOG_N = 17;
const blockSize = 8;
const parallelism = 1;
const saltBytes = 16;
const keyBytes = 32;
/** Longest password accepted: long enough for any passphrase, short enough to bound the work. */
const maxPasswordLength = 1024;
const phcPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{6,88})\$([A-Za-z0-9+/]{43,88})$/;

function derive(
  password: string,
  salt: Uint8Array,
  logN: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  const N = 2 ** logN;
  // Node refuses parameters whose memory (128·N·r bytes) reaches maxmem (32 MiB by default).
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, length, options, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

function checkPassword(password: unknown): string {
  if (typeof password !== "string") throw new TypeError("password must be a string");
  if (password.length === 0 || password.length > maxPasswordLength) {
    throw new RangeError(`password must be 1-${maxPasswordLength} characters, got ${password.length}`);
  }
  return password;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

/**
 * Hashes a password for storage. The password is NFKC-normalised first (NIST SP 800-63B §5.1.1.2),
 * so the same passphrase typed on different keyboards verifies.
 *
 * @throws TypeError / RangeError for a password that is not a 1-1024 character string, or a
 *   cost outside 10-20.
 * @example
 * const stored = await hashPassword("correct horse battery staple");
 * await verifyPassword("correct horse battery staple", stored); // true
 */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  checkPassword(password);
  const logN = options.logN ?? DEFAULT_PASSWORD_LOG_N;
  if (!Number.isInteger(logN) || logN < 10 || logN > 20)
    throw new RangeError(`logN must be an integer 10-20, got ${logN}`);
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, logN, blockSize, parallelism, keyBytes);
  return `$scrypt$ln=${logN},r=${blockSize},p=${parallelism}$${b64(salt)}$${b64(key)}`;
}

/**
 * Checks a password against a stored hash, comparing in constant time. Returns false for a wrong
 * password, including one that is too long or empty.
 *
 * @throws TypeError when `stored` is not a hash this module made (a corrupt record must not read
 *   as "wrong password"), or when its cost parameters are out of bounds (a crafted hash must not
 *   make the gateway burn memory).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = typeof stored === "string" ? phcPattern.exec(stored) : null;
  if (match === null) throw new TypeError("stored password hash is not a $scrypt$ PHC string");
  const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) {
    throw new TypeError(`stored password hash has out-of-bounds parameters ln=${logN},r=${r},p=${p}`);
  }
  const salt = Buffer.from(match[4] ?? "", "base64");
  const expected = Buffer.from(match[5] ?? "", "base64");
  if (typeof password !== "string" || password.length === 0 || password.length > maxPasswordLength) return false;
  const actual = await derive(password, salt, logN, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}
