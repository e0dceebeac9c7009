/** The CLI's exit codes, the same for every command. */
export const ExitCode = {
  OK: 0,
  /** The data did not verify: a bad frame, a lying manifest, a missing chunk. */
  VERIFICATION_FAILED: 1,
  /** Bad usage or input: unknown option, unreadable file, wrong key. */
  BAD_INPUT: 2,
  /** `cyxwiz job watch`: the job ended FAILED (its reason on stderr). */
  JOB_FAILED: 3,
  /** `cyxwiz job watch`: the job was cancelled. */
  JOB_CANCELLED: 4,
} as const;

/** An error that ends the command with a message and an exit code (never a stack trace). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const badInput = (message: string) => new CliError(message, ExitCode.BAD_INPUT);
export const verificationFailed = (message: string) => new CliError(message, ExitCode.VERIFICATION_FAILED);
