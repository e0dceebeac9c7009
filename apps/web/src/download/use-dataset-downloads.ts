"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type DatasetKeyOwner, openDatasetKeyStore } from "../keys/dataset-key-store.js";
import { createDownloadClient, type DownloadClient, type DownloadWorkerPort } from "./download-client.js";
import type { DownloadGateway } from "./download-worker-protocol.js";

/**
 * What the datasets page needs for downloads: one download worker for the page (started on the
 * first download, stopped when the page closes or the session changes, which cancels the
 * downloads in it and drops their files), and which versions' dataset keys this browser keeps.
 */
export function useDatasetDownloads(gateway: DownloadGateway | undefined) {
  /** Transfer ids of the versions whose dataset keys this browser keeps. */
  const [keysHere, setKeysHere] = useState<ReadonlySet<string>>(new Set());
  const baseUrl = gateway?.baseUrl;
  const owner = gateway?.owner;
  const keyOwner = useMemo<DatasetKeyOwner | undefined>(
    () => (baseUrl === undefined || owner === undefined ? undefined : { gateway: baseUrl, owner }),
    [baseUrl, owner],
  );

  const downloadClient = useRef<DownloadClient | undefined>(undefined);
  const gatewayRef = useRef(gateway);
  gatewayRef.current = gateway;
  const sessionKey = gateway === undefined ? undefined : `${gateway.owner}@${gateway.baseUrl} ${gateway.token}`;
  useEffect(() => {
    if (sessionKey === undefined) return;
    return () => {
      downloadClient.current?.close();
      downloadClient.current = undefined;
    };
  }, [sessionKey]);
  const downloads = useCallback((): DownloadClient => {
    const g = gatewayRef.current;
    if (g === undefined) throw new Error("sign in first");
    downloadClient.current ??= createDownloadClient(
      new Worker(new URL("./download.worker.ts", import.meta.url), {
        type: "module",
        name: "cyxwiz-download",
      }) as DownloadWorkerPort,
      g,
    );
    return downloadClient.current;
  }, []);

  const refreshKeys = useCallback(async () => {
    if (keyOwner === undefined) return;
    try {
      const keys = await openDatasetKeyStore();
      try {
        setKeysHere(new Set((await keys.list(keyOwner)).map((k) => k.transferId)));
      } finally {
        keys.close();
      }
    } catch {
      setKeysHere(new Set()); // no IndexedDB: every encrypted download asks for its recovery key
    }
  }, [keyOwner]);

  const forgetKey = useCallback(
    async (transferId: string) => {
      if (keyOwner === undefined) return;
      const keys = await openDatasetKeyStore();
      try {
        await keys.remove(keyOwner, transferId);
      } finally {
        keys.close();
      }
    },
    [keyOwner],
  );

  return { downloads, keysHere, refreshKeys, forgetKey };
}
