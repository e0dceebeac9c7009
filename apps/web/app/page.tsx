"use client";

import { RequireSession } from "../src/session/require-session.js";
import { UploadPage } from "../src/upload/upload-page.js";

/** `/`: the upload page (the sign-in form until signed in). */
export default function Home() {
  return <RequireSession>{() => <UploadPage />}</RequireSession>;
}
