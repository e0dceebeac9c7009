import { describe, expect, it } from "vitest";
import { ConfigError, isLoopbackHost, loadConfig } from "./config.js";

const root = "/srv/cyxwiz";
const load = (env: Record<string, string>) => loadConfig(env, root);

describe("config: TLS and plaintext beyond loopback (docs/operations.md)", () => {
  it("keeps loopback in plaintext by default, and CYXWIZ_TLS=1 turns TLS on there with a generated certificate", () => {
    expect(load({})).toMatchObject({ host: "127.0.0.1", tls: undefined, insecurePlaintext: false });
    expect(load({ HOST: "::1" }).tls).toBeUndefined();
    expect(load({ HOST: "localhost" }).tls).toBeUndefined();
    expect(load({ CYXWIZ_TLS: "1" }).tls).toEqual({ source: "generated", dir: "/srv/cyxwiz/.cyxwiz-data/tls" });
    expect(load({ CYXWIZ_TLS: "1", CYXWIZ_DATA_DIR: "/var/lib/cyxwiz" }).tls).toEqual({
      source: "generated",
      dir: "/var/lib/cyxwiz/tls",
    });
  });

  it("turns TLS on by itself for a HOST beyond loopback, with a generated certificate", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "gateway.example"]) {
      const c = load({ HOST: host });
      expect(c.tls, host).toEqual({ source: "generated", dir: "/srv/cyxwiz/.cyxwiz-data/tls" });
      expect(c.insecurePlaintext, host).toBe(false);
    }
  });

  it("allows plaintext beyond loopback only with CYXWIZ_INSECURE=1, and marks it to be warned about", () => {
    expect(load({ HOST: "0.0.0.0", CYXWIZ_INSECURE: "1" })).toMatchObject({ tls: undefined, insecurePlaintext: true });
    expect(load({ HOST: "0.0.0.0", CYXWIZ_INSECURE: "1", CYXWIZ_TLS: "0" }).insecurePlaintext).toBe(true);
    // on loopback there is nothing to warn about
    expect(load({ CYXWIZ_INSECURE: "1" })).toMatchObject({ tls: undefined, insecurePlaintext: false });
    // INSECURE permits plaintext, it does not turn TLS off when TLS was asked for
    expect(load({ HOST: "0.0.0.0", CYXWIZ_INSECURE: "1", CYXWIZ_TLS: "1" })).toMatchObject({
      tls: { source: "generated" },
      insecurePlaintext: false,
    });
    expect(() => load({ HOST: "0.0.0.0", CYXWIZ_TLS: "0" })).toThrow(
      /HOST=0.0.0.0 is beyond loopback: plaintext there needs CYXWIZ_INSECURE=1/,
    );
  });

  it("takes the operator's certificate and key together, relative to the project root, and refuses half a config", () => {
    expect(load({ CYXWIZ_TLS_CERT: "tls/cert.pem", CYXWIZ_TLS_KEY: "/etc/cyxwiz/key.pem" }).tls).toEqual({
      source: "files",
      certFile: "/srv/cyxwiz/tls/cert.pem",
      keyFile: "/etc/cyxwiz/key.pem",
    });
    expect(() => load({ CYXWIZ_TLS_CERT: "/c.pem" })).toThrow(ConfigError);
    expect(() => load({ CYXWIZ_TLS_CERT: "/c.pem" })).toThrow(/CYXWIZ_TLS_CERT is set but CYXWIZ_TLS_KEY is not/);
    expect(() => load({ HOST: "0.0.0.0", CYXWIZ_TLS_KEY: "/k.pem" })).toThrow(
      /CYXWIZ_TLS_KEY is set but CYXWIZ_TLS_CERT is not/,
    );
    expect(() => load({ CYXWIZ_TLS_CERT: "/c.pem", CYXWIZ_TLS_KEY: "/k.pem", CYXWIZ_TLS: "0" })).toThrow(/contradicts/);
    expect(() => load({ CYXWIZ_TLS: "yes" })).toThrow(/CYXWIZ_TLS must be 1 or 0/);
    expect(() => load({ CYXWIZ_INSECURE: "true" })).toThrow(/CYXWIZ_INSECURE must be 1 or 0/);
  });

  it("knows which hosts are loopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "gateway.example", "128.0.0.1", "::2"])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe("config: password hashing cost", () => {
  it("hashes new passwords at OWASP's scrypt cost by default; CYXWIZ_PASSWORD_COST sets 10-20 and refuses the rest", () => {
    expect(load({}).passwordCost).toBe(17);
    expect(load({ CYXWIZ_PASSWORD_COST: "10" }).passwordCost).toBe(10);
    expect(load({ CYXWIZ_PASSWORD_COST: "20" }).passwordCost).toBe(20);
    for (const bad of ["9", "21", "17.5", "fast"])
      expect(() => load({ CYXWIZ_PASSWORD_COST: bad }), bad).toThrow(/CYXWIZ_PASSWORD_COST/);
  });
});
