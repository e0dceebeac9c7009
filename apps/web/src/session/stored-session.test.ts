import { describe, expect, it } from "vitest";
import {
  clearSession,
  readSession,
  SESSION_STORAGE_KEY,
  type SessionStorageLike,
  writeSession,
} from "./stored-session.js";

function memoryStorage(): SessionStorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe("stored session", () => {
  it("reads back what was written, until signed out", () => {
    const s = memoryStorage();
    expect(readSession(s)).toBeUndefined();
    writeSession(s, { token: "a.b.c", username: "ada", expiresAt: "2099-01-01T00:00:00.000Z" });
    expect(readSession(s)).toEqual({ token: "a.b.c", username: "ada", expiresAt: "2099-01-01T00:00:00.000Z" });
    clearSession(s);
    expect(readSession(s)).toBeUndefined();
  });

  it("keeps a pasted token that says nothing about its expiry", () => {
    const s = memoryStorage();
    writeSession(s, { token: "a.b.c", username: "ada" });
    expect(readSession(s)).toEqual({ token: "a.b.c", username: "ada" });
  });

  it("drops an expired session", () => {
    const s = memoryStorage();
    writeSession(s, { token: "a.b.c", username: "ada", expiresAt: "2026-01-01T00:00:00.000Z" });
    expect(readSession(s, Date.parse("2026-01-01T00:00:01.000Z"))).toBeUndefined();
    expect(s.map.has(SESSION_STORAGE_KEY)).toBe(false);
  });

  it("drops damaged values instead of signing in with them", () => {
    const s = memoryStorage();
    s.setItem(SESSION_STORAGE_KEY, "{not json");
    expect(readSession(s)).toBeUndefined();
    s.setItem(SESSION_STORAGE_KEY, JSON.stringify({ token: "", username: "ada" }));
    expect(readSession(s)).toBeUndefined();
    expect(s.map.size).toBe(0);
  });
});
