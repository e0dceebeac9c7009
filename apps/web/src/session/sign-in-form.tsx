"use client";

import { type FormEvent, useState } from "react";
import { useSession } from "./session-context.js";

/**
 * Sign in with a username and password (AuthService.Login), or with a pasted API token (checked
 * with WhoAmI). Errors are shown as the gateway words them.
 */
export function SignInForm({ onSignedIn }: { onSignedIn?: () => void }) {
  const { state, signIn, signInWithToken } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [tokenError, setTokenError] = useState<string | undefined>();

  async function submitPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const problem = await signIn(String(form.get("username") ?? ""), String(form.get("password") ?? ""));
    setBusy(false);
    if (problem !== undefined) setError(problem);
    else onSignedIn?.();
  }

  async function submitToken(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setTokenError(undefined);
    const problem = await signInWithToken(String(form.get("token") ?? ""));
    setBusy(false);
    if (problem !== undefined) setTokenError(problem);
    else onSignedIn?.();
  }

  const notice = state.status === "signed-out" ? state.notice : undefined;
  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {notice !== undefined && (
        <p className="notice" data-testid="signin-notice">
          {notice}
        </p>
      )}
      <form onSubmit={submitPassword} className="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required data-testid="signin-username" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            data-testid="signin-password"
          />
        </label>
        {error !== undefined && (
          <p className="error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="signin-submit">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <details className="token-sign-in">
        <summary>Use an API token instead</summary>
        <form onSubmit={submitToken} className="stack">
          <label>
            API token
            <textarea name="token" rows={3} spellCheck={false} autoComplete="off" data-testid="signin-token" />
          </label>
          <p className="hint">
            On a fresh install the gateway writes one to <code>admin-token</code> in its data directory.
          </p>
          {tokenError !== undefined && (
            <p className="error" role="alert" data-testid="signin-token-error">
              {tokenError}
            </p>
          )}
          <button type="submit" disabled={busy} data-testid="signin-token-submit">
            Sign in with token
          </button>
        </form>
      </details>
    </section>
  );
}
