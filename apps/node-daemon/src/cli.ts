import { FORMAT_NAMES } from "@cyxwiz/datasets/format-names";
import { STRATEGY_NAMES } from "@cyxwiz/datasets/sharding";
import {
  AGGREGATION_RULES,
  CLASSIFICATION_NAMES,
  CODEC_NAMES,
  EVALUATION_SPLITS,
  MAX_AUGMENT_SHIFT_PIXELS,
  MAX_SERVER_LEARNING_RATE,
} from "@cyxwiz/protocol/vocab";
import { OPTIMIZERS, PRESET_NAMES } from "@cyxwiz/training/spec";
import { Command, CommanderError, Option } from "commander";
import { DAEMON_BACKENDS } from "./daemon-backends.js";
import { withDatasetOptions } from "./dataset-options.js";
import { ExitCode } from "./exit-codes.js";
import { createOutput } from "./output.js";

/** "a, b or c". */
function inWords(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

// The lists come from @cyxwiz/protocol/vocab; the CLI offers the compressing codecs first (the
// first is what a bare `upload --compress` picks) and "none" last.
const COMPRESSING_CODECS = CODEC_NAMES.filter((c) => c !== "none");
const CLASSIFICATION_HELP = inWords(CLASSIFICATION_NAMES);

// Each command's module is imported when that command runs, so that `cyxwiz ls` does not load
// the format readers, Arrow, the packer and TF.js first: a start costs ~0.1 s instead of ~0.5 s,
// which scripts (and the test suite, which spawns the CLI hundreds of times) feel.

/**
 * The `cyxwiz` command line. Exit codes: 0 ok, 1 verification failed, 2 bad usage or input
 * (including a gateway that refuses the token, cannot be reached, or refuses the request);
 * `job watch`: 3 the job failed, 4 it was cancelled (exit-codes.ts).
 * Results go to stdout (`--json` for one JSON object), progress and notes to stderr.
 */
export function buildProgram(): Command {
  const program = new Command("cyxwiz")
    .description("CyxWiz: move machine-learning datasets securely, chunked, hashed, encrypted and verified")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");

  withDatasetOptions(
    program
      .command("pack")
      .description(
        "read files as one dataset of samples (or one file as opaque bytes), chunk, compress, encrypt and frame it into <dir> (manifest.json + frames.cyxw); prints the Merkle root",
      )
      .argument("<file...>", "the dataset's files; a directory is walked (an image folder: sub-folders are labels)")
      .requiredOption("--out <dir>", "directory to write the manifest and frames to"),
  )
    .option("--chunk-size <size>", "plaintext bytes per chunk, e.g. 4MiB, 65536", "4MiB")
    .addOption(
      new Option("--compress <codec>", "compression codec (skipped when the first chunk shrinks less than 1.1x)")
        .choices([...COMPRESSING_CODECS, "none"])
        .default("none"),
    )
    .option("--encrypt", "encrypt every chunk with AES-256-GCM under the dataset key")
    .option("--key-file <path>", "dataset key file (64 hex chars); created with a new random key if missing")
    .option("--name <name>", "dataset name for the manifest (default: the first file's name)")
    .option("--classification <level>", CLASSIFICATION_HELP, "public")
    .option("--json", "print the result as JSON on stdout")
    .action(async (files: string[], opts) =>
      (await import("./commands/pack.js")).packCommand(files, opts, createOutput(opts.json === true)),
    );

  program
    .command("scan")
    .description("scan a dataset's samples for personal data (emails, card numbers, phones, ...); exit 0 found or not")
    .argument("<file...>", "the dataset's files")
    .addOption(
      new Option("--format <format>", "the files' format (default: detected)").choices(["auto", ...FORMAT_NAMES]),
    )
    .option(
      "--pattern <name=regex>",
      "a pattern of your own, reported under its name (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--json", "print the scan report as JSON on stdout")
    .action(async (files: string[], opts) =>
      (await import("./commands/scan.js")).scanCommand(files, opts, createOutput(opts.json === true)),
    );

  program
    .command("shard")
    .description("shard a pack of samples: each shard's index ranges, the chunks it needs and their bytes, its labels")
    .argument("<dir>", "a directory written by cyxwiz pack (a dataset of samples)")
    .addOption(new Option("--strategy <strategy>", "how to shard").choices([...STRATEGY_NAMES]).makeOptionMandatory())
    .requiredOption("--shards <n>", "how many shards")
    .option("--column <column>", "the column: class-balanced the label, hash the key, custom the shard id")
    .option("--seed <n>", "the hash strategy's seed")
    .option("--key-file <path>", "dataset key file (required for encrypted packs)")
    .option("--json", "print the result as JSON on stdout")
    .action(async (dir: string, opts) =>
      (await import("./commands/shard.js")).shardCommand(dir, opts, createOutput(opts.json === true)),
    );

  program
    .command("preview")
    .description("show a dataset's schema, first rows, column statistics and label histogram")
    .argument("<source...>", "a directory written by cyxwiz pack (only its first chunk is read), or dataset files")
    .option("--rows <n>", "rows to show", "10")
    .addOption(
      new Option("--format <format>", "the files' format (default: detected)").choices(["auto", ...FORMAT_NAMES]),
    )
    .option("--key-file <path>", "dataset key file (for an encrypted pack)")
    .option("--json", "print {schema, rows, stats, labelHistogram, samples} as JSON on stdout")
    .action(async (paths: string[], opts) =>
      (await import("./commands/preview.js")).previewCommand(paths, opts, createOutput(opts.json === true)),
    );

  program
    .command("verify")
    .description(
      "re-check every frame of a packed directory: FCS, SHA-256, sequence, Merkle proof, and with the key decryption",
    )
    .argument("<dir>", "a directory written by cyxwiz pack")
    .option("--key-file <path>", "dataset key file, to also decrypt and check every chunk")
    .option("--json", "print the result as JSON on stdout")
    .action(async (dir: string, opts) =>
      (await import("./commands/verify.js")).verifyCommand(dir, opts, createOutput(opts.json === true)),
    );

  program
    .command("unpack")
    .description("verify a packed directory and restore the original bytes")
    .argument("<dir>", "a directory written by cyxwiz pack")
    .requiredOption("--out <file>", "where to write the restored file")
    .option("--key-file <path>", "dataset key file (required for encrypted datasets)")
    .option("--json", "print the result as JSON on stdout")
    .action(async (dir: string, opts) =>
      (await import("./commands/unpack.js")).unpackCommand(dir, opts, createOutput(opts.json === true)),
    );

  const tokenHelp = "file holding the session token (default: the CYXWIZ_TOKEN environment variable)";
  const caHelp =
    "PEM CA certificate, or the gateway's own certificate, to verify an https gateway with instead of the system's CAs (default: the CYXWIZ_CA_FILE environment variable)";
  const pinHelp =
    "accept only the gateway certificate with this SHA-256 fingerprint, as the gateway prints it at start (AB:CD:... or 64 hex digits)";
  /** The options of every command that talks to a gateway: who it is, how to sign in, how to trust it. */
  const reachGateway = (command: Command, urlHelp = "the gateway's URL") =>
    command
      .requiredOption("--gateway <url>", urlHelp)
      .option("--token-file <path>", tokenHelp)
      .option("--ca-file <path>", caHelp)
      .option("--pin-sha256 <fingerprint>", pinHelp);

  withDatasetOptions(
    reachGateway(
      program
        .command("upload")
        .description(
          "upload files to the gateway as a new dataset version (name@vN): a dataset of samples packed as `pack` does, or one file as opaque bytes; run it again after an interruption to resume where it stopped",
        )
        .argument("<file...>", "the dataset's files (a directory is walked), or one file to upload as bytes"),
      "the gateway's URL, e.g. https://gateway.example",
    )
      .option("--name <name>", "dataset name (default: the file's name)")
      .option("--classification <level>", CLASSIFICATION_HELP, "public")
      .option("--chunk-size <size>", "plaintext bytes per chunk, e.g. 4MiB, 65536", "4MiB")
      .option(
        "--compress [codec]",
        `compress chunks: ${inWords(COMPRESSING_CODECS.map((c, i) => (i === 0 ? `${c} (the default)` : c)))}; skipped when the first chunk shrinks less than 1.1x`,
      )
      .option("--encrypt", "encrypt every chunk with AES-256-GCM under the dataset key")
      .option("--key-file <path>", "dataset key file (64 hex chars); created with a new random key if missing")
      .option("--escrow", "escrow the dataset key to the gateway (public and internal data only)")
      .option("--json", "print the result as JSON on stdout"),
  ).action(async (files: string[], opts) =>
    (await import("./commands/upload.js")).uploadCommand(files, opts, createOutput(opts.json === true)),
  );

  reachGateway(
    program
      .command("download")
      .description(
        "download a dataset version, verifying every chunk against its Merkle root (and decrypting it with --key-file)",
      )
      .argument("<ref>", 'the dataset: "name" for the newest version or "name@vN"'),
  )
    .requiredOption("--out <file>", "where to write the data (written only once every chunk verified)")
    .option("--key-file <path>", "dataset key file (required for encrypted datasets)")
    .option("--json", "print the result as JSON on stdout")
    .action(async (ref: string, opts) =>
      (await import("./commands/download.js")).downloadCommand(ref, opts, createOutput(opts.json === true)),
    );

  reachGateway(program.command("ls").description("list your datasets on the gateway, newest version of each"))
    .option("--json", "print the result as JSON on stdout")
    .action(async (opts) => (await import("./commands/ls.js")).lsCommand(opts, createOutput(opts.json === true)));

  const token = program
    .command("token")
    .description("create, list and revoke API tokens (for scripts, CI, a Prometheus scraper)");
  reachGateway(
    token
      .command("create")
      .description("create an API token of yours; prints the token on stdout (its id and expiry on stderr)"),
  )
    .option("--label <label>", "what the token is for, shown by `cyxwiz token ls`", "cli")
    .option("--days <n>", "lifetime in days, 1-365 (default: the gateway's, 30 unless configured)")
    .option("--json", "print the token, its id and expiry as JSON on stdout")
    .action(async (opts) =>
      (await import("./commands/token.js")).tokenCreateCommand(opts, createOutput(opts.json === true)),
    );
  reachGateway(
    token
      .command("revoke")
      .description("revoke an API token at once (yours; an admin: anyone's)")
      .argument("<id>", 'the token\'s id ("tok_…", from `cyxwiz token ls` or `token create`)'),
  )
    .option("--json", "print the revoked token's record as JSON on stdout")
    .action(async (id: string, opts) =>
      (await import("./commands/token.js")).tokenRevokeCommand(id, opts, createOutput(opts.json === true)),
    );
  reachGateway(token.command("ls").description("list your API tokens, newest first"))
    .option("--all", "everyone's tokens (admins only)")
    .option("--json", "print the result as JSON on stdout")
    .action(async (opts) =>
      (await import("./commands/token.js")).tokenLsCommand(opts, createOutput(opts.json === true)),
    );

  const policy = program
    .command("policy")
    .description("read and set a dataset version's classification and data policy (docs/data-policy.md)");
  reachGateway(
    policy
      .command("get")
      .description("show a version's data policy")
      .argument("<ref>", 'the dataset: "name" for the newest version or "name@vN"'),
  )
    .option("--json", "print the policy as JSON on stdout")
    .action(async (ref: string, opts) =>
      (await import("./commands/policy.js")).policyGetCommand(ref, opts, createOutput(opts.json === true)),
    );
  reachGateway(
    policy
      .command("set")
      .description(
        "set a version's classification: its level's defaults, tightened by the options given (an option may never loosen the level)",
      )
      .argument("<ref>", 'the dataset: "name" for the newest version or "name@vN"'),
  )
    .requiredOption("--classification <level>", CLASSIFICATION_HELP)
    .option("--expire-days <n>", "delete the version this many days after it was committed")
    .option("--min-reputation <r>", "lowest worker reputation (0-100) allowed to process it")
    .option("--regions <a,b>", "regions whose workers may hold it, comma-separated (e.g. eu,us-east-1)")
    .option("--cache-ttl-hours <h>", "hours a worker may keep a cached copy (0: none)")
    .option("--require-encryption", "require the data to be stored encrypted")
    .option("--no-escrow", "forbid escrowing the dataset key to the gateway")
    .option("--no-third-party", "forbid workers outside your organisation")
    .option("--secure-delete", "overwrite copies before deleting them")
    .option("--audit-access", "report every worker read to the audit log")
    .option("--require-mfa", "require multi-factor sign-in to read it")
    .option("--require-enclave", "only workers with a secure enclave may process it")
    .option("--json", "print the new policy as JSON on stdout")
    .action(async (ref: string, opts) =>
      (await import("./commands/policy.js")).policySetCommand(ref, opts, createOutput(opts.json === true)),
    );

  reachGateway(program.command("nodes").description("list the registered workers: daemons and browser tabs"))
    .option("--json", "print the result as JSON on stdout")
    .action(async (opts) => (await import("./commands/nodes.js")).nodesCommand(opts, createOutput(opts.json === true)));

  const job = program
    .command("job")
    .description(
      "submit, watch and cancel training jobs on your datasets, and download their models (docs/compute.md)",
    );
  reachGateway(
    job
      .command("submit")
      .description("submit a training job; prints its id (options not given take the gateway's defaults)"),
  )
    .requiredOption("--dataset <name@vN>", "the dataset version to train on, e.g. mnist@v1")
    .option("--preset <name>", `a preset model: ${inWords(PRESET_NAMES)}`)
    .option("--model <file>", "a JSON model spec (docs/training.md), checked before it is sent")
    .option("--rounds <n>", "rounds of training")
    .option("--workers <min:max>", "workers to start with and at most, e.g. 2:4")
    .option("--strategy <strategy>", `how to shard the dataset: ${inWords(STRATEGY_NAMES)}`)
    .option("--seed <n>", "the job's seed: the shards and the initial weights (default 0)")
    .option("--column <column>", "the column hash shards on, or class-balanced balances")
    .option("--optimizer <name>", inWords(OPTIMIZERS))
    .option("--lr <x>", "learning rate")
    .option("--batch-size <n>", "samples per batch")
    .option("--local-epochs <n>", "each worker's epochs over its shard per round")
    .option("--local-steps <n>", "each worker's batches per round (instead of --local-epochs)")
    .option("--eval-split <split>", `the split the global model is evaluated on: ${inWords(EVALUATION_SPLITS)}`)
    .option("--deadline <seconds>", "a round closes at quorum or after this many seconds")
    .option("--quorum <q>", "fraction of the round's workers whose updates close it, in (0, 1]")
    .option("--aggregation <rule>", inWords(AGGREGATION_RULES))
    .option("--trim <f>", "trimmed-mean: the fraction trimmed at each end")
    .option("--byzantine <f>", "krum: the number of Byzantine updates tolerated")
    .option("--max-norm-ratio <r>", "reject updates whose norm exceeds r times the round's median (0: off)")
    .option(
      "--server-lr <x>",
      `the global model moves x times the combined update each round, in (0, ${MAX_SERVER_LEARNING_RATE}] (default 1: plain FedAvg)`,
    )
    .option(
      "--augment-shift <px>",
      `workers shift each training image by up to px pixels each way, 0 to ${MAX_AUGMENT_SHIFT_PIXELS} (default 0: off)`,
    )
    .option("--json", 'print {"job": id} as JSON on stdout')
    .action(async (opts) =>
      (await import("./commands/job.js")).jobSubmitCommand(opts, createOutput(opts.json === true)),
    );
  reachGateway(
    job
      .command("watch")
      .description(
        "follow a job until it ends, rounds on stderr; reconnects if the stream drops; exit 0 succeeded, 3 failed, 4 cancelled",
      )
      .argument("<id>", 'the job\'s id ("job_…")'),
  )
    .option("--json", "print {job, state, rounds, accuracy, loss, workers} as JSON on stdout at the end")
    .action(async (id: string, opts) =>
      (await import("./commands/job-watch.js")).jobWatchCommand(id, opts, createOutput(opts.json === true)),
    );
  reachGateway(job.command("get").description("show a job: state, rounds, workers").argument("<id>", "the job's id"))
    .option("--json", "print the job as JSON on stdout")
    .action(async (id: string, opts) =>
      (await import("./commands/job.js")).jobGetCommand(id, opts, createOutput(opts.json === true)),
    );
  reachGateway(job.command("list").description("list your jobs, newest first"))
    .option("--json", "print the result as JSON on stdout")
    .action(async (opts) => (await import("./commands/job.js")).jobListCommand(opts, createOutput(opts.json === true)));
  reachGateway(
    job.command("cancel").description("stop a job; its workers erase its data").argument("<id>", "the job's id"),
  )
    .option("--reason <reason>", "why, for the job's record")
    .option("--json", "print the job's id and state as JSON on stdout")
    .action(async (id: string, opts) =>
      (await import("./commands/job.js")).jobCancelCommand(id, opts, createOutput(opts.json === true)),
    );
  reachGateway(
    job
      .command("model")
      .description("download a job's trained model in TF.js format: <dir>/model.json and its weights file")
      .argument("<id>", "the job's id"),
  )
    .requiredOption("--out <dir>", "directory to write model.json and the weights to")
    .option("--json", "print the paths as JSON on stdout")
    .action(async (id: string, opts) =>
      (await import("./commands/job.js")).jobModelCommand(id, opts, createOutput(opts.json === true)),
    );
  program
    .command("daemon")
    .description(
      "run a worker node: register with the gateway, train assigned shards, send signed updates (docs/node-daemon.md)",
    )
    .requiredOption("--gateway <url>", "the gateway's URL")
    .requiredOption("--data-dir <dir>", "where the node keeps its identity and encrypted chunk cache")
    .option("--max-storage <size>", "the chunk cache's quota, e.g. 10GB, 512MiB", "10GB")
    .option("--region <region>", "the region the node reports", "local")
    .addOption(new Option("--backend <backend>", "training backend").choices([...DAEMON_BACKENDS]).default("auto"))
    .option("--label <label>", "a name for the node on the Nodes page")
    .option(
      "--token <token>",
      "an operator's token: the node registers as their worker (or --token-file, CYXWIZ_TOKEN)",
    )
    .option("--token-file <path>", "a file holding the operator's token")
    .option("--ca-file <path>", caHelp)
    .option("--pin-sha256 <fingerprint>", pinHelp)
    .option("--json", "log one JSON object per line on stdout")
    .action(async (opts) => (await import("./commands/daemon.js")).daemonCommand(opts));

  return program;
}

/** Runs the CLI and returns the exit code; never lets a stack trace reach the user for expected errors. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
    }
    const err = e as { name?: string; message?: string; exitCode?: number };
    if (err.name === "CliError" && typeof err.exitCode === "number") {
      process.stderr.write(`cyxwiz: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`cyxwiz: unexpected error: ${err.message ?? String(e)}\n`);
    if (process.env.CYXWIZ_DEBUG !== undefined) process.stderr.write(`${(e as Error).stack}\n`);
    return ExitCode.BAD_INPUT;
  }
}

process.exitCode = await main(process.argv);
