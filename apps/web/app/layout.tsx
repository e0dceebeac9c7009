import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppHeader } from "../src/ui/app-header.js";
import { Providers } from "../src/ui/providers.js";
import "./globals.css";

/** The document title and description of every page. */
export const metadata: Metadata = {
  title: "CyxWiz",
  description: "Move machine-learning datasets securely to where they are trained.",
};

/** Every page: the shared providers (session, uploads), the header, the page. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppHeader />
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
