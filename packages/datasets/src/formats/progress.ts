/** Counts bytes read across one reader's files and reports them (`onProgress(bytesRead, total)`). */
export class ProgressCounter {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly report?: (bytesRead: number, totalBytes: number) => void,
  ) {}

  add(bytes: number): void {
    this.done += bytes;
    this.report?.(Math.min(this.done, this.total), this.total);
  }
}
