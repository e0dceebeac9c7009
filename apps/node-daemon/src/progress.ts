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
    return `${label} ${pct.toString().padStart(3)}% ${formatBytes(done)}/${formatBytes(total)} ${(rate / 1e6).toFixed(1)} MB/s ${eta}`.trimEnd();
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

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Parses "4194304", "64KiB", "4MiB", "1GiB" (also k/m/g, KB/MB as binary units). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)$/i.exec(text.trim());
  if (m === null) return undefined;
  const unit = m[2]!.toLowerCase()[0] ?? "";
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Number(m[1]) * factor;
}
