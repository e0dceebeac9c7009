import { createHash, X509Certificate } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../config.js";
import { createSelfSignedCertificate, GENERATED_CERT_DAYS } from "./self-signed-certificate.js";
import { certificateNames, loadTlsMaterial } from "./tls-material.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-tls-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** SHA-256 of the certificate's DER bytes, computed apart from the gateway's code. */
const derSha256 = (pem: string) => {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
  return createHash("sha256").update(der).digest("hex");
};
const asHex = (fingerprint: string) => fingerprint.replaceAll(":", "").toLowerCase();

describe("generated TLS certificate", () => {
  it("is made on first start in <data>/tls (cert.pem, key.pem, 0600; dir 0700) and reused after, same fingerprint", async () => {
    const tlsDir = join(dir, "data-1", "tls");
    const first = await loadTlsMaterial({ source: "generated", dir: tlsDir }, "127.0.0.1");
    expect(first.createdNow).toBe(true);
    expect(first.source).toBe("generated");
    expect(first.certPath).toBe(join(tlsDir, "cert.pem"));
    for (const f of ["cert.pem", "key.pem"]) expect((await stat(join(tlsDir, f))).mode & 0o777, f).toBe(0o600);
    expect((await stat(tlsDir)).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, "data-1"))).toEqual(["tls"]); // no staging directory left behind

    const onDisk = await readFile(first.certPath, "utf8");
    expect(first.cert).toBe(onDisk);
    // the fingerprint printed is the SHA-256 of the DER certificate, colon-separated upper-case hex
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(first.fingerprint256).toBe(new X509Certificate(onDisk).fingerprint256);
    expect(asHex(first.fingerprint256)).toBe(derSha256(onDisk));

    const second = await loadTlsMaterial({ source: "generated", dir: tlsDir }, "127.0.0.1");
    expect(second.createdNow).toBe(false);
    expect(second.fingerprint256).toBe(first.fingerprint256);
    expect(second.key).toBe(first.key);
  });

  it("is an ECDSA P-256 server certificate, not a CA, for localhost, the loopback addresses, the host name and HOST", async () => {
    const names = certificateNames("192.0.2.7", {}, "Gateway-Box");
    expect(names).toEqual(["localhost", "127.0.0.1", "::1", "gateway-box", "192.0.2.7"]);
    const now = new Date("2026-01-01T00:00:00Z");
    const { cert } = await createSelfSignedCertificate(names, now);
    const x = new X509Certificate(cert);
    expect(x.publicKey.asymmetricKeyType).toBe("ec");
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x.ca).toBe(false);
    expect(x.verify(x.publicKey)).toBe(true); // self-signed
    expect(x.subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:gateway-box, IP Address:192.0.2.7",
    );
    expect(x.subject).toMatch(/CN=localhost/);
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // serverAuth
    expect(new Date(x.validTo).getTime() - now.getTime()).toBe(GENERATED_CERT_DAYS * 86_400_000);
    expect(new Date(x.validFrom).getTime()).toBeLessThan(now.getTime());
  });

  it("covers every external address for a wildcard HOST, and says which names a reused certificate misses", async () => {
    const interfaces = {
      lo: [{ address: "127.0.0.1", internal: true }],
      eth0: [
        { address: "10.1.2.3", internal: false },
        { address: "fe80::1", internal: false },
        { address: "2001:db8::5", internal: false },
      ],
    } as unknown as Parameters<typeof certificateNames>[1];
    expect(certificateNames("0.0.0.0", interfaces, "box")).toEqual([
      "localhost",
      "127.0.0.1",
      "::1",
      "box",
      "10.1.2.3",
      "2001:db8::5",
    ]);
    const tlsDir = join(dir, "data-names", "tls");
    await loadTlsMaterial({ source: "generated", dir: tlsDir }, "127.0.0.1");
    const reused = await loadTlsMaterial({ source: "generated", dir: tlsDir }, "192.0.2.99");
    expect(reused.uncoveredNames).toEqual(["192.0.2.99"]);
  });

  it("is made again once expired, the old pair kept beside it", async () => {
    const tlsDir = join(dir, "data-expired", "tls");
    const first = await loadTlsMaterial({ source: "generated", dir: tlsDir }, "127.0.0.1");
    const later = new Date(Date.now() + (GENERATED_CERT_DAYS + 1) * 86_400_000);
    const renewed = await loadTlsMaterial({ source: "generated", dir: tlsDir }, "127.0.0.1", later);
    expect(renewed.createdNow).toBe(true);
    expect(renewed.fingerprint256).not.toBe(first.fingerprint256);
    const kept = (await readdir(join(dir, "data-expired"))).filter((f) => f.startsWith("tls.expired-"));
    expect(kept).toHaveLength(1);
  });

  it("refuses a directory holding half a pair", async () => {
    const tlsDir = join(dir, "data-half", "tls");
    await mkdir(tlsDir, { recursive: true });
    await writeFile(join(tlsDir, "cert.pem"), "x");
    await expect(loadTlsMaterial({ source: "generated", dir: tlsDir }, "127.0.0.1")).rejects.toThrow(
      /holds cert.pem but no key.pem/,
    );
  });
});

describe("the operator's TLS files (CYXWIZ_TLS_CERT, CYXWIZ_TLS_KEY)", () => {
  it("are served as given, with their fingerprint", async () => {
    const pair = await createSelfSignedCertificate(["gateway.example"]);
    const certFile = join(dir, "op-cert.pem");
    const keyFile = join(dir, "op-key.pem");
    await writeFile(certFile, pair.cert);
    await writeFile(keyFile, pair.key, { mode: 0o600 });
    const m = await loadTlsMaterial({ source: "files", certFile, keyFile }, "0.0.0.0");
    expect(m).toMatchObject({ source: "files", cert: pair.cert, key: pair.key, certPath: certFile, createdNow: false });
    expect(asHex(m.fingerprint256)).toBe(derSha256(pair.cert));
  });

  it("refuse with a one-line ConfigError: a missing or unreadable file, not PEM, a key that is not the certificate's, expired", async () => {
    const a = await createSelfSignedCertificate(["a.example"]);
    const b = await createSelfSignedCertificate(["b.example"]);
    const file = async (name: string, text: string) => {
      const p = join(dir, name);
      await writeFile(p, text);
      return p;
    };
    const certA = await file("a-cert.pem", a.cert);
    const keyA = await file("a-key.pem", a.key);
    const keyB = await file("b-key.pem", b.key);
    const junk = await file("junk.pem", "not a certificate\n");
    const refusal = async (certFile: string, keyFile: string, now?: Date) => {
      const e = await loadTlsMaterial({ source: "files", certFile, keyFile }, "0.0.0.0", now).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as Error).message;
      expect(message).not.toContain("\n");
      return message;
    };
    expect(await refusal(join(dir, "missing.pem"), keyA)).toBe(
      `cannot read CYXWIZ_TLS_CERT (${join(dir, "missing.pem")}): ENOENT`,
    );
    expect(await refusal(certA, keyB)).toBe(
      `CYXWIZ_TLS_KEY (${keyB}) is not the private key of CYXWIZ_TLS_CERT (${certA})`,
    );
    expect(await refusal(junk, keyA)).toMatch(/CYXWIZ_TLS_CERT .* is not a PEM X.509 certificate/);
    expect(await refusal(certA, junk)).toMatch(/CYXWIZ_TLS_KEY .* is not an unencrypted PEM private key/);
    expect(await refusal(certA, keyA, new Date(Date.now() + 1000 * 86_400_000))).toMatch(/expired on/);
    if (process.getuid?.() !== 0) {
      // root reads any file; elsewhere an unreadable key is named too
      await chmod(keyA, 0o000);
      expect(await refusal(certA, keyA)).toMatch(/cannot read CYXWIZ_TLS_KEY .*: EACCES/);
    }
  });
});
