/** Where a command's results go: `--json` prints one JSON object on stdout; otherwise text. Notes go to stderr. */
export interface Output {
  result(value: Record<string, unknown>, text: string): void;
  note(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    result(value, text) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

export const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
