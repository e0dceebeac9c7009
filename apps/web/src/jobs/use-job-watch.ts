"use client";

import { Code } from "@connectrpc/connect";
import { applyJobEvent } from "@cyxwiz/client";
import type { Job } from "@cyxwiz/protocol/gen";
import { isJobFinished } from "@cyxwiz/protocol/vocab";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage } from "../gateway/error-message.js";
import type { ComputeClients } from "./compute-clients.js";

/** How the page follows the job: the live stream, a reconnect after a drop, or GetJob polling. */
export type WatchMode = "connecting" | "live" | "reconnecting" | "polling" | "ended";

export interface JobWatch {
  readonly job: Job | undefined;
  readonly mode: WatchMode;
  /** Why the job cannot be shown at all (not found, not yours, signed out); the last failure while reconnecting. */
  readonly error: string | undefined;
  /** Replaces the job with one an RPC answered (CancelJob, GrantKeys), until the stream says more. */
  readonly replace: (job: Job) => void;
}

/** Timings, replaced by tests. */
export interface WatchTimings {
  /** Wait before the n-th reconnect (n from 1). Default: 1 s, 2 s, 4 s, capped at 10 s. */
  readonly retryMs?: (attempt: number) => number;
  /** Streams that fail in a row, without a message, before polling takes over. Default 3. */
  readonly maxFailures?: number;
  /** GetJob polling interval. Default 2 s. */
  readonly pollMs?: number;
}

/** Errors after which watching again cannot help. */
const FINAL = new Set([Code.NotFound, Code.PermissionDenied, Code.Unauthenticated, Code.InvalidArgument]);

/**
 * Follows one job (docs/compute.md "Dashboard"): WatchJob's snapshot and events; when the stream
 * drops it reconnects (a fresh snapshot each time); after `maxFailures` streams fail in a row
 * (or the gateway does not stream: Unimplemented) it polls GetJob instead. A state event is
 * followed by one GetJob, since the reason and the key requests come only with a whole job.
 */
export function useJobWatch(clients: ComputeClients, id: string, timings: WatchTimings = {}): JobWatch {
  const [job, setJob] = useState<Job | undefined>();
  const [mode, setMode] = useState<WatchMode>("connecting");
  const [error, setError] = useState<string | undefined>();
  const timingsRef = useRef(timings);
  timingsRef.current = timings;
  /** The job as last shown: events apply to it, whether it came from the stream or an RPC. */
  const currentRef = useRef<Job | undefined>(undefined);

  useEffect(() => {
    const stop = new AbortController();
    const signal = stop.signal;
    const retryMs = timingsRef.current.retryMs ?? ((n: number) => Math.min(10_000, 1000 * 2 ** (n - 1)));
    const maxFailures = timingsRef.current.maxFailures ?? 3;
    const pollMs = timingsRef.current.pollMs ?? 2000;
    currentRef.current = undefined;
    const set = (next: Job | undefined) => {
      currentRef.current = next;
      setJob(next);
    };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        });
      });
    const refetch = async () => {
      try {
        const { job: whole } = await clients.jobs.getJob({ id }, { signal });
        if (whole !== undefined && !signal.aborted) set(whole);
      } catch {
        // The stream goes on; the next snapshot or poll brings the job.
      }
    };

    async function poll() {
      setMode("polling");
      while (!signal.aborted) {
        try {
          const { job: whole } = await clients.jobs.getJob({ id }, { signal });
          if (signal.aborted) return;
          set(whole);
          setError(undefined);
          if (whole !== undefined && isJobFinished(whole.state)) {
            setMode("ended");
            return;
          }
        } catch (e) {
          if (signal.aborted) return;
          setError(errorMessage(e, `Loading job ${id}`));
          if (isFinal(e)) return;
        }
        await sleep(pollMs);
      }
    }

    async function watch() {
      let failures = 0;
      while (!signal.aborted) {
        let received = false;
        try {
          for await (const message of clients.jobs.watchJob({ id }, { signal })) {
            if (!received) {
              received = true;
              failures = 0;
              setMode("live");
              setError(undefined);
            }
            set(applyJobEvent(currentRef.current, message));
            if (message.event.case === "state") void refetch();
          }
          if (currentRef.current !== undefined && isJobFinished(currentRef.current.state)) {
            setMode("ended");
            return;
          }
        } catch (e) {
          if (signal.aborted) return;
          if (isFinal(e)) {
            setError(errorMessage(e, `Watching job ${id}`));
            setMode("ended");
            return;
          }
          if (codeOf(e) === Code.Unimplemented) return poll();
          setError(errorMessage(e, `Watching job ${id}`));
        }
        if (!received) failures++;
        if (failures >= maxFailures) return poll();
        setMode("reconnecting");
        await sleep(retryMs(Math.max(1, failures)));
      }
    }

    void watch();
    return () => stop.abort();
  }, [clients, id]);

  const replace = useCallback((next: Job) => {
    currentRef.current = next;
    setJob(next);
  }, []);
  return { job, mode, error, replace };
}

function codeOf(e: unknown): Code | undefined {
  const c = (e as { name?: unknown; code?: unknown } | null) ?? {};
  return c.name === "ConnectError" && typeof c.code === "number" ? (c.code as Code) : undefined;
}

function isFinal(e: unknown): boolean {
  const code = codeOf(e);
  return code !== undefined && FINAL.has(code);
}
