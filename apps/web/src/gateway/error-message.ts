import { Code } from "@connectrpc/connect";
import { isClientError } from "@cyxwiz/client";

/**
 * One sentence or two for a person, from whatever a gateway call or the upload engine threw.
 * The gateway writes its Connect error messages for people, so they are shown as they are; what
 * is added says what the dashboard was doing and, where it helps, what to do next. Errors are
 * recognised by `name` (STYLE §10), so a second copy of a package still counts.
 *
 * @param e what was thrown.
 * @param doing what the dashboard was doing, e.g. "Loading your datasets".
 * @param options.signingIn the call was a sign-in, where a refusal means wrong credentials rather
 *   than an ended session.
 */
export function errorMessage(e: unknown, doing: string, options: { signingIn?: boolean } = {}): string {
  if (isClientError(e)) {
    // The upload engine's messages already name the call and the gateway ("CommitUpload at …: …").
    const hint =
      e.code === "CYXW_CLIENT_AUTH"
        ? " Sign in again, then retry."
        : e.code === "CYXW_CLIENT_UNREACHABLE"
          ? " Check that the gateway is running, then retry."
          : "";
    return `${doing} failed: ${e.message}.${hint}`.replace(/\.\.( |$)/g, ".$1");
  }
  if (isConnectError(e)) {
    if (e.code === Code.Unauthenticated && options.signingIn === true) {
      return `${doing} failed: ${sentence(e.rawMessage || "the gateway refused the credentials")}`;
    }
    if (e.code === Code.Unauthenticated)
      return `${doing} failed: the gateway refused your session (${e.rawMessage}). Sign in again.`;
    if (e.code === Code.PermissionDenied) return `${doing} failed: not allowed (${e.rawMessage}).`;
    if (isNetworkFailure(e))
      return `${doing} failed: cannot reach the gateway. Check that it is running and that this page was opened from it.`;
    return `${doing} failed: ${sentence(e.rawMessage || Code[e.code] || "unknown error")}`;
  }
  if (
    e instanceof Error ||
    (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string")
  ) {
    return `${doing} failed: ${sentence((e as { message: string }).message)}`;
  }
  return `${doing} failed: ${sentence(String(e))}`;
}

/** Whether `e` says the session token was refused (expired, revoked, malformed). */
export function isAuthFailure(e: unknown): boolean {
  if (isClientError(e)) return e.code === "CYXW_CLIENT_AUTH";
  return isConnectError(e) && e.code === Code.Unauthenticated;
}

interface ConnectErrorShape {
  readonly name: "ConnectError";
  readonly code: Code;
  readonly rawMessage: string;
}

function isConnectError(e: unknown): e is ConnectErrorShape {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { name?: unknown }).name === "ConnectError" &&
    typeof (e as { code?: unknown }).code === "number" &&
    typeof (e as { rawMessage?: unknown }).rawMessage === "string"
  );
}

/** A fetch that never reached the gateway surfaces as Unknown/Unavailable with the browser's words. */
function isNetworkFailure(e: ConnectErrorShape): boolean {
  return (
    e.code === Code.Unavailable ||
    (e.code === Code.Unknown &&
      /failed to fetch|networkerror|network error|load failed|fetch failed/i.test(e.rawMessage))
  );
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
