"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useSession } from "../../src/session/session-context.js";
import { SignInForm } from "../../src/session/sign-in-form.js";

/** `/sign-in`: the form; once signed in, on to the upload page. */
export default function SignIn() {
  const { state } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === "signed-in") router.replace("/");
  }, [state.status, router]);
  if (state.status === "loading") return <p className="muted">Loading…</p>;
  return <SignInForm onSignedIn={() => router.replace("/")} />;
}
