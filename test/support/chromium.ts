// Debian's Chromium for the browser specs, driven by playwright-core over CDP
// (no browser download, ever): one launch recipe, and the skip with its
// reason when /usr/bin/chromium is absent (.ci/run installs it).

import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Skips the calling `before` hook's suite, saying why, when Chromium is not installed. */
export function skipWithoutChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  console.log(`      (skipped: ${CHROMIUM} is missing; install Debian's chromium package, as .ci/run does)`);
  context.skip();
}

/** Headless Chromium with a fresh profile directory (playwright passes it as --user-data-dir), nothing fetched in the background. */
export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    viewport: { width: 1280, height: 720 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
