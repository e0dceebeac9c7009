"use client";

import type { GatewayClients } from "@cyxwiz/client";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { JobPage } from "../../src/jobs/job-page.js";
import { JobsPage, jobHref } from "../../src/jobs/jobs-page.js";
import { useComputeClients } from "../../src/jobs/use-compute-clients.js";
import { RequireSession } from "../../src/session/require-session.js";
import { useSession } from "../../src/session/session-context.js";
import "../../src/jobs/compute.css";

/**
 * `/jobs`: the signed-in person's jobs and the New job form; `/jobs/?id=<job>`: one job, live (a
 * static export has no dynamic routes, so the id is a query parameter).
 */
export default function Jobs() {
  return (
    <RequireSession>
      {(s) => (
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <JobsRoute clients={s.clients} owner={s.session.username} />
        </Suspense>
      )}
    </RequireSession>
  );
}

function JobsRoute({ clients, owner }: { clients: GatewayClients; owner: string }) {
  const id = useSearchParams().get("id");
  const router = useRouter();
  const { signOut } = useSession();
  const compute = useComputeClients(clients);
  if (id !== null && id !== "") {
    return (
      <JobPage
        key={id}
        id={id}
        compute={compute}
        datasets={clients.datasets}
        owner={{ gateway: clients.baseUrl, owner }}
      />
    );
  }
  return (
    <JobsPage
      compute={compute}
      datasets={clients.datasets}
      openJob={(jobId) => router.push(jobHref(jobId))}
      onAuthFailure={signOut}
    />
  );
}
