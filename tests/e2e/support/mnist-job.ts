/**
 * `cyxwiz job submit` arguments for the training e2e tests' MNIST jobs (docs/compute.md "Measured
 * end to end"): the dataset uploaded as `mnist` with the 800/200 split, class-balanced shards,
 * evaluation on the validation split, Adam at 0.003, 2 local epochs a round, training images
 * shifted by up to 1 pixel (docs/training.md "Augmentation": without it the 128-unit MLP ends at
 * 94.9-95.8% on this split and the CNN at 97.1-97.4%, with it a point or more higher), unless
 * `extra` says otherwise (later options win).
 */
export function mnistJobArgs(
  preset: "mnist-mlp" | "mnist-cnn",
  workers: string,
  rounds: number,
  extra: string[] = [],
): string[] {
  return [
    "job",
    "submit",
    "--dataset",
    "mnist@v1",
    "--preset",
    preset,
    "--workers",
    workers,
    "--rounds",
    String(rounds),
    "--local-epochs",
    "2",
    "--lr",
    "0.003",
    "--strategy",
    "class-balanced",
    "--eval-split",
    "validation",
    "--augment-shift",
    "1",
    ...extra,
  ];
}
