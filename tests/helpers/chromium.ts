/**
 * Headless Chromium for the browser and export tests: playwright-core driving the Debian chromium
 * that `npm run setup` installs (NER_CHROMIUM picks another), found by the library's chromiumPath.
 */
import { chromium, type Browser } from "playwright-core";
import { chromiumPath } from "../../src/charts/png";

/** Flags for a small, busy, offline CI machine: no sandbox (containers), no GPU, no background traffic. */
const HEADLESS_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: HEADLESS_ARGS });
}
