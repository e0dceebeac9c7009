import { type Browser, chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH, CHROMIUM_WEBGPU_ARGS } from "../../../test-support/chromium.js";

/** Debian's Chromium, as MACHINE-NOTES prescribes: never a downloaded browser. */
export function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...(options.webgpu === true ? CHROMIUM_WEBGPU_ARGS : CHROMIUM_ARGS)],
  });
}
