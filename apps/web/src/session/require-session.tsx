"use client";

import type { ReactNode } from "react";
import { type SessionState, useSession } from "./session-context.js";
import { SignInForm } from "./sign-in-form.js";

/** Renders `children(session)` when signed in; the sign-in form otherwise. */
export function RequireSession({
  children,
}: {
  children: (state: Extract<SessionState, { status: "signed-in" }>) => ReactNode;
}) {
  const { state } = useSession();
  if (state.status === "loading") return <p className="muted">Loading…</p>;
  if (state.status === "signed-out") return <SignInForm />;
  return <>{children(state)}</>;
}
