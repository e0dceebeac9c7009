/**
 * Debian's Chromium, launched the same way by every browser test, end-to-end test and benchmark
 * (MACHINE-NOTES: nothing downloads a browser here; `--no-sandbox` because tests run as root).
 */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless test flags: no GPU process, no QUIC, no background traffic, updates or sync. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The same, with WebGPU exposed (SwiftShader's adapter, on the CPU) for the tests that use it. */
export const CHROMIUM_WEBGPU_ARGS: readonly string[] = [...CHROMIUM_ARGS, "--enable-unsafe-webgpu"];
