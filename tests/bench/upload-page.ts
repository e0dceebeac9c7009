/**
 * The upload benchmark's page: starts one dedicated module Worker (upload-worker.ts) and relays
 * commands to it from the driver's `/cmd` (a long poll, same origin) and its replies to
 * `/result`. Chromium runs without Playwright or DevTools attached, which would otherwise see
 * every request body and WebSocket frame and cap uploads at ~93 MB/s (MACHINE-NOTES).
 */
import type { BenchReply, NumberedCommand } from "./upload-messages.js";

const worker = new Worker("/upload-worker.js", { type: "module", name: "cyxwiz-upload-bench" });
const pending = new Map<number, (reply: BenchReply) => void>();
worker.onmessage = (event: MessageEvent<BenchReply>) => {
  pending.get(event.data.id)?.(event.data);
  pending.delete(event.data.id);
};

const report = (text: string) => fetch("/log", { method: "POST", body: text.slice(0, 4000) }).catch(() => undefined);
worker.onerror = (event) => void report(`worker error: ${event.message}`);
addEventListener("error", (event) => void report(`page error: ${event.message}`));
addEventListener("unhandledrejection", (event) => void report(`page rejection: ${String(event.reason)}`));

for (;;) {
  const answer = await fetch("/cmd", { cache: "no-store" });
  const cmd = (await answer.json()) as NumberedCommand | { readonly op: "wait" | "quit" };
  if (cmd.op === "wait") continue;
  if (cmd.op === "quit") break;
  const command = cmd as NumberedCommand;
  const reply = await new Promise<BenchReply>((resolve) => {
    pending.set(command.id, resolve);
    worker.postMessage(command);
  });
  await fetch("/result", { method: "POST", body: JSON.stringify(reply) });
}
worker.terminate();
