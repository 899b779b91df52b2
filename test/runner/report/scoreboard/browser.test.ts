// The scoreboard in a real browser: Debian's Chromium, driven by
// playwright-core over CDP (no browser download, ever). The table renders,
// sorts on a heading click both ways, and every row links to a student report
// that opens. Skipped with the reason when /usr/bin/chromium is absent
// (.ci/run installs it).

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, skipWithoutChromium } from "../../../support/chromium.ts";
import { writeScoreboard } from "../../../../runner/report/scoreboard/write.ts";
import { sampleClass, sampleTests } from "./sample-class.ts";

describe("scoreboard in Chromium", function () {
  this.timeout(60_000);
  let dir: string;
  let browser: BrowserContext | undefined;
  let page: Page;
  let index: string;
  const grade = sampleClass();
  let dialogs = 0;

  before(async function () {
    skipWithoutChromium(this);
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-scoreboard-"));
    index = writeScoreboard(path.join(dir, "grade"), grade, (i) => sampleTests(grade.targets[i]!.score.percent !== 100)).index;
    browser = await launchChromium(path.join(dir, "profile"));
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    page.setDefaultTimeout(10_000);
    await page.goto(pathToFileURL(index).href);
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const names = () => page.$$eval("#scoreboard tbody tr", (rows) => rows.map((r) => r.getAttribute("data-target") ?? ""));

  it("renders one row per target, hostile names as text", async () => {
    expect(await names()).to.deep.equal(grade.targets.map((t) => t.name));
    expect(await page.$$eval("#scoreboard thead th", (ths) => ths.map((th) => th.textContent?.trim()))).to.include.members(["Target", "Score", "SMTP", "MUST failures", "Unreachable"]);
    expect(dialogs, "a target name ran as script").to.equal(0);
    expect(await page.locator("#scoreboard tbody tr", { hasText: "<script>" }).count()).to.equal(1);
    // Kept in the temporary folder for a person to look at while debugging; removed with it.
    await page.screenshot({ path: path.join(dir, "scoreboard.png"), fullPage: true });
  });

  it("sorts by score, highest first, and reverses on a second click", async () => {
    const byScore = [...grade.targets].sort((a, b) => (b.score.percent ?? -1) - (a.score.percent ?? -1)).map((t) => t.name);
    await page.click("#scoreboard thead th:has-text('Score')");
    expect(await names()).to.deep.equal(byScore);
    expect(await page.getAttribute("#scoreboard thead th:has-text('Score')", "aria-sort")).to.equal("descending");
    await page.click("#scoreboard thead th:has-text('Score')");
    expect(await names()).to.deep.equal([...byScore].reverse());
  });

  it("sorts by name", async () => {
    await page.click("#scoreboard thead th:has-text('Target')");
    expect(await names()).to.deep.equal(grade.targets.map((t) => t.name).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  it("links every row to its student report, which opens and links back", async () => {
    for (const t of grade.targets) {
      await page.goto(pathToFileURL(index).href);
      await page.click(`#scoreboard tbody tr[data-target="${t.name.replace(/["\\]/g, "\\$&")}"] a.report-link`);
      expect(await page.textContent("h1")).to.include(t.name);
      if (t.score.percent !== 100) expect(await page.textContent("#failed + .failure h3")).to.include("smtp.transaction.basic");
      await page.click("text=← scoreboard");
      expect(await page.title()).to.match(/^Scoreboard/);
    }
  });
});
