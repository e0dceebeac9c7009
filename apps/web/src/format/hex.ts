/**
 * Lowercase hexadecimal of `bytes`: how the dashboard shows Merkle roots and writes recovery keys
 * (the form `cyxwiz --key-file` reads).
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
