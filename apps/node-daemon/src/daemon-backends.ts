import { BACKENDS } from "@cyxwiz/training/spec";

/**
 * The choices of `cyxwiz daemon --backend`. Apart from commands/daemon.ts, which the CLI loads only
 * when the daemon runs: naming the choices must not load TF.js.
 */
export const DAEMON_BACKENDS = ["auto", ...BACKENDS] as const;
