import type { Metadata } from "next";
import Link from "next/link";

/** The title of the not-found page (exported as `404.html`, which the gateway serves to browsers). */
export const metadata: Metadata = {
  title: "Page not found · CyxWiz",
};

/**
 * Any path the dashboard does not have: the root layout's header and styles, and the way back to
 * the two pages (not Next's unstyled default).
 */
export default function NotFound() {
  return (
    <div className="card not-found stack" data-testid="not-found">
      <h1>Page not found</h1>
      <p className="muted">There is no dashboard page at this address. It may have moved, or the link is mistyped.</p>
      <div className="actions">
        <Link href="/" className="button primary" data-testid="not-found-upload">
          Upload a dataset
        </Link>
        <Link href="/datasets/" className="button" data-testid="not-found-datasets">
          Your datasets
        </Link>
      </div>
    </div>
  );
}
