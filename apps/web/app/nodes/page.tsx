"use client";

import type { GatewayClients } from "@cyxwiz/client";
import { useComputeClients } from "../../src/jobs/use-compute-clients.js";
import { NodesPage } from "../../src/nodes/nodes-page.js";
import { RequireSession } from "../../src/session/require-session.js";
import { useSession } from "../../src/session/session-context.js";
import "../../src/jobs/compute.css";

/** `/nodes`: the registered workers, read again every 5 s. */
export default function Nodes() {
  return <RequireSession>{(s) => <NodesRoute clients={s.clients} />}</RequireSession>;
}

function NodesRoute({ clients }: { clients: GatewayClients }) {
  const compute = useComputeClients(clients);
  const { signOut } = useSession();
  return <NodesPage compute={compute} onAuthFailure={signOut} />;
}
