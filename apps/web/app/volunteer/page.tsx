"use client";

import { RequireSession } from "../../src/session/require-session.js";
import { createVolunteerWorker } from "../../src/volunteer/create-volunteer-worker.js";
import { VolunteerPage } from "../../src/volunteer/volunteer-page.js";
import "../../src/jobs/compute.css";

/** `/volunteer`: lend this tab to training jobs (anyone signed in). */
export default function Volunteer() {
  return (
    <RequireSession>
      {(s) => <VolunteerPage baseUrl={s.baseUrl} token={s.session.token} createWorker={createVolunteerWorker} />}
    </RequireSession>
  );
}
