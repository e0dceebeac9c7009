"use client";

import type { ReactNode } from "react";
import { SessionProvider } from "../session/session-context.js";
import { UploadManagerProvider } from "../upload/upload-manager.js";

/** The client-side state every page shares: the session, then the uploads (which need the session). */
export function Providers({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <UploadManagerProvider>{children}</UploadManagerProvider>
    </SessionProvider>
  );
}
