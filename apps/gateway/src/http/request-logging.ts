/**
 * Which requests get fastify's "incoming request" / "request completed" log lines. At `info` the
 * routine traffic is left out — a worker's heartbeat every few seconds, health checks, metrics
 * scrapes, the dashboard's static files — so the log shows what happened (uploads, RPCs, jobs)
 * instead of scrolling with heartbeats. At `debug` and `trace` every request is logged.
 */
const ROUTINE_PATHS = [
  /\.NodeService\/Heartbeat$/,
  /^\/healthz$/,
  /^\/metrics$/,
  /^\/_next\//,
  /\.(?:js|css|png|svg|ico|wasm|txt)$/,
];

/** True for a request whose log lines are skipped at `level`. */
export function isRoutineRequest(url: string, level: string): boolean {
  if (level === "debug" || level === "trace") return false;
  const path = url.split("?", 1)[0] ?? url;
  return ROUTINE_PATHS.some((p) => p.test(path));
}
