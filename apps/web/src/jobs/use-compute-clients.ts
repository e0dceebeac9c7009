"use client";

import type { GatewayClients } from "@cyxwiz/client";
import { useMemo } from "react";
import { type ComputeClients, connectCompute } from "./compute-clients.js";

/** The compute clients of the session's gateway and token, made once per session. */
export function useComputeClients(clients: GatewayClients): ComputeClients {
  return useMemo(() => connectCompute({ baseUrl: clients.baseUrl, token: clients.token }), [clients]);
}
