import type { Client } from "@connectrpc/connect";
import type { DatasetService, SampleLayout } from "@cyxwiz/protocol/gen";
import { sampleLayoutOf } from "../datasets/preview-model.js";

/** A version a job can train on: a dataset of samples, with the layout its manifest gives. */
export interface SampleDataset {
  /** "name@vN". */
  readonly ref: string;
  readonly layout: SampleLayout;
  readonly encrypted: boolean;
  /**
   * Whether the gateway can read its columns: unencrypted, or its key escrowed. Strategies that
   * read a column (class-balanced, hash) need that; the gateway refuses them otherwise.
   */
  readonly columnsReadable: boolean;
}

/**
 * The caller's versions that are datasets of samples (their manifests have a sample layout), newest
 * version first within each name. Opaque files cannot be trained on, so they are left out.
 */
export async function listSampleDatasets(datasets: Client<typeof DatasetService>): Promise<SampleDataset[]> {
  const { datasets: names } = await datasets.listDatasets({});
  const perName = await Promise.all(names.map(async (d) => (await datasets.listVersions({ name: d.name })).versions));
  const versions = perName.flat().sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
  const found = await Promise.all(
    versions.map(async (v) => {
      const { manifest } = await datasets.getDataset({ ref: v.ref });
      const layout = sampleLayoutOf(manifest);
      return layout === undefined
        ? undefined
        : { ref: v.ref, layout, encrypted: v.encrypted, columnsReadable: !v.encrypted || v.keyEscrowed };
    }),
  );
  return found.filter((d): d is SampleDataset => d !== undefined);
}
