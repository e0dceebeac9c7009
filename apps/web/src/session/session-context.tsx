"use client";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { connectGateway, type GatewayClients } from "@cyxwiz/client";
import { AuthService } from "@cyxwiz/protocol/gen";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { errorMessage } from "../gateway/error-message.js";
import { clearSession, readSession, type StoredSession, writeSession } from "./stored-session.js";

/** Where the session stands; "loading" until sessionStorage has been read (after hydration). */
export type SessionState =
  | { readonly status: "loading" }
  | { readonly status: "signed-out"; readonly notice?: string }
  | {
      readonly status: "signed-in";
      readonly session: StoredSession;
      readonly clients: GatewayClients;
      readonly baseUrl: string;
    };

/** The session and what can be done with it. */
export interface SessionApi {
  readonly state: SessionState;
  /** AuthService.Login. @returns an error message for the person, or undefined on success. */
  signIn(username: string, password: string): Promise<string | undefined>;
  /** Checks a pasted API token with AuthService.WhoAmI. @returns an error message, or undefined on success. */
  signInWithToken(token: string): Promise<string | undefined>;
  /** Forgets the token; `notice` is shown on the sign-in form (e.g. "your session expired"). */
  signOut(notice?: string): void;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

/**
 * The gateway the dashboard talks to: the one that served it (the gateway serves the static
 * export at `/`), so there is nothing to configure and the page stays same-origin.
 */
export function gatewayBaseUrl(): string {
  return window.location.origin;
}

/** Provides the session to every page; the token lives in sessionStorage (this tab only). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const enter = useCallback((session: StoredSession) => {
    const baseUrl = gatewayBaseUrl();
    setState({ status: "signed-in", session, clients: connectGateway({ baseUrl, token: session.token }), baseUrl });
  }, []);

  useEffect(() => {
    const stored = readSession(window.sessionStorage);
    if (stored === undefined) setState({ status: "signed-out" });
    else enter(stored);
  }, [enter]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      if (username.trim() === "" || password === "") return "Enter your username and password.";
      try {
        const auth = createClient(AuthService, createConnectTransport({ baseUrl: gatewayBaseUrl() }));
        const r = await auth.login({ username: username.trim(), password });
        const session: StoredSession = {
          token: r.token,
          username: r.username || username.trim(),
          ...(r.expiresAt === undefined ? {} : { expiresAt: timestampDate(r.expiresAt).toISOString() }),
        };
        writeSession(window.sessionStorage, session);
        enter(session);
        return undefined;
      } catch (e) {
        return errorMessage(e, "Signing in", { signingIn: true });
      }
    },
    [enter],
  );

  const signInWithToken = useCallback(
    async (pasted: string) => {
      const token = pasted.trim().replace(/^Bearer\s+/i, "");
      if (token === "") return "Paste an API token (the contents of the admin-token file, or a token from cyxwiz).";
      let clients: GatewayClients;
      try {
        clients = connectGateway({ baseUrl: gatewayBaseUrl(), token });
      } catch {
        return "That is not an API token: a token is three base64url parts joined by dots, with no spaces.";
      }
      try {
        const me = await clients.auth.whoAmI({});
        const session: StoredSession = { token, username: me.username };
        writeSession(window.sessionStorage, session);
        enter(session);
        return undefined;
      } catch (e) {
        return errorMessage(e, "Signing in with the token", { signingIn: true });
      }
    },
    [enter],
  );

  const signOut = useCallback((notice?: string) => {
    clearSession(window.sessionStorage);
    setState(notice === undefined ? { status: "signed-out" } : { status: "signed-out", notice });
  }, []);

  const api = useMemo<SessionApi>(
    () => ({ state, signIn, signInWithToken, signOut }),
    [state, signIn, signInWithToken, signOut],
  );
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

/**
 * The session API.
 *
 * @throws Error outside a {@link SessionProvider} (a wiring bug).
 */
export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (api === undefined) throw new Error("useSession must be used inside <SessionProvider>");
  return api;
}
