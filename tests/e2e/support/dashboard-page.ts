import { readFile } from "node:fs/promises";
import type { CodecName } from "@cyxwiz/protocol/vocab";
import type { Page } from "playwright-core";

/** What the upload row offers before start. */
export interface UploadChoices {
  readonly classification?: "0" | "1" | "2" | "3" | "4";
  readonly encrypt?: boolean;
  readonly compression?: CodecName;
  readonly escrow?: boolean;
  /**
   * Read the files as datasets of samples (the page's default): false unchecks
   * `upload-read-samples` first, so every file uploads as its bytes, as it is.
   */
  readonly samples?: boolean;
}

/** The dashboard as a test drives it, through the data-testids of apps/web/TESTIDS.md. */
export class DashboardPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async signIn(username: string, password: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`);
    await this.page.getByTestId("signin-username").fill(username);
    await this.page.getByTestId("signin-password").fill(password);
    await this.page.getByTestId("signin-submit").click();
    await this.page.getByTestId("session-user").waitFor();
  }

  /** Picks files from disk (disk-backed Files, as a user's) and sets each row's choices. */
  async chooseFiles(paths: string[], choices: UploadChoices = {}): Promise<void> {
    await this.page.getByTestId("upload-read-samples").setChecked(choices.samples ?? true);
    await this.page.getByTestId("upload-file-input").setInputFiles(paths);
    for (const path of paths) {
      const f = path.split("/").pop()!;
      await this.row(f).waitFor();
      if (choices.classification !== undefined)
        await this.page.getByTestId(`upload-classification-${f}`).selectOption(choices.classification);
      if (choices.encrypt !== undefined) await this.page.getByTestId(`upload-encrypt-${f}`).setChecked(choices.encrypt);
      if (choices.compression !== undefined)
        await this.page.getByTestId(`upload-compression-${f}`).selectOption(choices.compression);
      if (choices.escrow !== undefined) await this.page.getByTestId(`upload-escrow-${f}`).setChecked(choices.escrow);
    }
  }

  row(f: string) {
    return this.page.getByTestId(`upload-row-${f}`);
  }

  async start(f: string): Promise<void> {
    await this.page.getByTestId(`upload-start-${f}`).click();
  }

  async phase(f: string): Promise<string | null> {
    return this.row(f).getAttribute("data-phase");
  }

  /** Waits for the upload to commit and returns the Merkle root the page shows. */
  async committedRoot(f: string, timeout = 200_000): Promise<string> {
    const root = this.page.getByTestId(`upload-root-${f}`);
    await root.waitFor({ timeout });
    return (await root.textContent())!.trim();
  }

  /** Waits until at least `percent` of the file is acknowledged. */
  async waitForProgress(f: string, percent: number, timeout = 120_000): Promise<void> {
    await this.page.waitForFunction(
      ([id, p]) =>
        Number((document.querySelector(`[data-testid="${id}"]`) as HTMLProgressElement | null)?.value ?? 0) >= p,
      [`upload-progress-${f}`, percent] as const,
      { timeout },
    );
  }

  /** Clicks "Export recovery key" and returns the key file's text. */
  async exportKey(f: string, testId = `upload-export-key-${f}`): Promise<string> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.page.getByTestId(testId).click()]);
    const path = await download.path();
    return readFile(path, "utf8");
  }
}
