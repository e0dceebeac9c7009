"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useSession } from "../session/session-context.js";
import { useUploadManager } from "../upload/upload-manager.js";
import { isActive } from "../upload/upload-rows.js";

const LINKS = [
  { href: "/", label: "Upload" },
  { href: "/datasets", label: "Datasets" },
  { href: "/jobs", label: "Jobs" },
  { href: "/nodes", label: "Nodes" },
  { href: "/volunteer", label: "Volunteer" },
] as const;

/** The bar on every page: the product, the pages, who is signed in. */
export function AppHeader() {
  const { state, signOut } = useSession();
  const { rows } = useUploadManager();
  const path = usePathname();
  const running = rows.filter((r) => isActive(r.phase)).length;
  const unexported = rows.filter(
    (r) => r.phase === "committed" && r.keyHex !== undefined && !r.keyExported && r.keyEscrowed !== true,
  ).length;
  function confirmSignOut() {
    const worries = [
      running > 0
        ? `${running} upload${running === 1 ? " is" : "s are"} still running (${running === 1 ? "it" : "they"} can be resumed after signing in again)`
        : "",
      unexported > 0
        ? `${unexported} recovery key${unexported === 1 ? " has" : "s have"} not been exported and will be lost`
        : "",
    ].filter((w) => w !== "");
    if (worries.length === 0 || window.confirm(`${worries.join("; ")}. Sign out anyway?`)) signOut();
  }
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <Link href="/" className="brand">
          CyxWiz
        </Link>
        {state.status === "signed-in" && (
          <nav aria-label="Pages">
            {LINKS.map((l) => {
              const current = l.href === "/" ? path === "/" : path.startsWith(l.href);
              return (
                <Link
                  key={l.href}
                  href={l.href}
                  className={current ? "current" : undefined}
                  aria-current={current ? "page" : undefined}
                  data-testid={`nav-${l.label.toLowerCase()}`}
                >
                  {l.label}
                  {l.href === "/" && running > 0 && <span className="count">{running}</span>}
                </Link>
              );
            })}
          </nav>
        )}
        <div className="who">
          {state.status === "signed-in" && (
            <>
              <span data-testid="session-user">{state.session.username}</span>
              <button type="button" className="subtle small" onClick={confirmSignOut} data-testid="signout">
                Sign out
              </button>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
