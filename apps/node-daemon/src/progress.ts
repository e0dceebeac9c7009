import { formatBytes, formatRate } from "@cyxwiz/protocol/units";

/**
 * Progress of long work on stderr: bytes, percent, MB/s and ETA. On a terminal one line is
 * rewritten in place; otherwise a line is printed at most every two seconds, so logs stay short.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  const tty = stream.isTTY === true;
  let lastPrint = 0;
  let lastLine = "";
  const line = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const eta = rate > 0 && total > done ? `ETA ${Math.ceil((total - done) / rate)}s` : "";
    return `${label} ${pct.toString().padStart(3)}% ${formatBytes(done)}/${formatBytes(total)} ${formatRate(rate)} ${eta}`.trimEnd();
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - lastPrint < (tty ? 100 : 2000)) return;
      lastPrint = now;
      lastLine = line(done);
      stream.write(tty ? `\r${lastLine}\x1b[K` : `${lastLine}\n`);
    },
    finish() {
      if (tty && lastLine !== "") stream.write("\r\x1b[K");
    },
  };
}
