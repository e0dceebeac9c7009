import type { VolunteerWorkerPort } from "./volunteer-protocol.js";

/** Starts the volunteer Web Worker (volunteer.worker.ts), which runs runWorker off the page's thread. */
export function createVolunteerWorker(): VolunteerWorkerPort {
  return new Worker(new URL("./volunteer.worker.ts", import.meta.url), {
    type: "module",
    name: "cyxwiz-volunteer",
  }) as unknown as VolunteerWorkerPort;
}
