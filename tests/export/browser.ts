/**
 * Headless Chromium for the export tests (playwright-core driving the Debian chromium), and
 * helpers to drive an exported page: wait until it is ready, type a text, read the entities
 * it shows.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import type { AggregationStrategy, PipelineEntity } from "../../src/pipeline/types";

export { launchChromium } from "../helpers/chromium";

/** Open `url` and wait for the page to load its model; page errors fail with their message. */
export async function openPage(
  browser: Browser | BrowserContext,
  url: string,
  timeoutMs = 120_000,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: timeoutMs });
  return { page, errors };
}

export function pageState(page: Page): Promise<{ state: string; status: string; backend: string }> {
  return page.evaluate(() => ({
    state: document.body.dataset.state ?? "",
    status: document.getElementById("status")?.textContent ?? "",
    backend: document.getElementById("backend")?.textContent ?? "",
  }));
}

/** Choose the aggregation strategy in the page's selector. */
export async function selectStrategy(page: Page, strategy: AggregationStrategy): Promise<void> {
  await page.selectOption("#aggregation", strategy);
}

/**
 * Put `text` in the text box — typed key by key when `keyboard`, else filled at once (both fire
 * the input events the page listens to) — and return the entities the page then shows.
 */
export async function typeAndRead(
  page: Page,
  text: string,
  strategy: AggregationStrategy,
  keyboard = false,
): Promise<PipelineEntity[]> {
  if (keyboard) {
    await page.fill("#text", "");
    await page.locator("#text").pressSequentially(text, { delay: 5 });
  } else {
    await page.fill("#text", text);
  }
  await page.waitForFunction(
    ([t, s]) => {
      const el = document.getElementById("entities");
      return el?.dataset.text === t && el?.dataset.strategy === s;
    },
    [text, strategy] as const,
    { timeout: 60_000 },
  );
  return page.evaluate(
    () => JSON.parse(document.getElementById("entities")?.dataset.entities ?? "[]") as PipelineEntity[],
  );
}
