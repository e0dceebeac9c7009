/**
 * The signed-in session as the dashboard keeps it: in `sessionStorage`, so it lasts as long as
 * the tab and is never shared with other tabs or written to disk beyond the browser's session.
 */
export interface StoredSession {
  /** The JWT every call carries as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly username: string;
  /** When the token stops working (ISO 8601), when the gateway said (Login does; a pasted token may not). */
  readonly expiresAt?: string;
}

/** The sessionStorage key. */
export const SESSION_STORAGE_KEY = "cyxwiz.session";

/** The part of `Storage` used here. */
export type SessionStorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * The stored session, or undefined when there is none, it is damaged, or it has expired
 * (an expired one is removed).
 *
 * @param now the current time (tests pass their own).
 */
export function readSession(storage: SessionStorageLike, now: number = Date.now()): StoredSession | undefined {
  const text = storage.getItem(SESSION_STORAGE_KEY);
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    storage.removeItem(SESSION_STORAGE_KEY);
    return undefined;
  }
  const s = value as Partial<StoredSession> | null;
  if (
    typeof s?.token !== "string" ||
    s.token === "" ||
    typeof s.username !== "string" ||
    (s.expiresAt !== undefined && typeof s.expiresAt !== "string")
  ) {
    storage.removeItem(SESSION_STORAGE_KEY);
    return undefined;
  }
  if (s.expiresAt !== undefined && Date.parse(s.expiresAt) <= now) {
    storage.removeItem(SESSION_STORAGE_KEY);
    return undefined;
  }
  return { token: s.token, username: s.username, ...(s.expiresAt === undefined ? {} : { expiresAt: s.expiresAt }) };
}

/** Stores `session`, replacing any other. */
export function writeSession(storage: SessionStorageLike, session: StoredSession): void {
  storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
}

/** Forgets the session (sign out). */
export function clearSession(storage: SessionStorageLike): void {
  storage.removeItem(SESSION_STORAGE_KEY);
}
