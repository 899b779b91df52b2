// The HTML run report in a real browser: Debian's Chromium, driven by
// playwright-core (no browser download). Opened from file://, it asks no host
// for anything, its filters by protocol, status and level hide and show tests,
// and a <script> a server sent shows as text and never runs. Skipped with
// the reason when /usr/bin/chromium is absent (.ci/run installs it).

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, skipWithoutChromium } from "../../support/chromium.ts";
import { HtmlReporter } from "../../../runner/report/html.ts";
import { ERRORED, FAILED, PASSED, SKIPPED, result, sampleEvents } from "./sample-run.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const HOSTILE = "<script>alert('from the server')</script><img src=x onerror=alert(2)>";

/** A failed test whose server reply carries markup, as a hostile server would send it. */
const XSS = result({
  id: "imap.capability.basic",
  protocol: "imap",
  status: "failed",
  level: "SHOULD",
  refs: ["RFC 9051 §6.1.1"],
  failure: {
    class: "assertion",
    message: `expected OK, got BAD ${HOSTILE}`,
    phase: "steps",
    step: 2,
    position: { file: FAILED.file, line: 15, col: 9 },
    expected: "OK",
    actual: `BAD ${HOSTILE}`,
  },
  transcript: [
    { connection: "main", dir: "S", ms: 1, text: `* OK ${HOSTILE}` },
    { connection: "main", dir: "C", ms: 2, text: "a1 CAPABILITY" },
    { connection: "main", dir: "S", ms: 3, text: `a1 BAD ${HOSTILE}` },
  ],
});

describe("HTML report in Chromium", function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let browser: BrowserContext | undefined;
  let page: Page;
  const requested: string[] = [];
  let dialogs = 0;

  before(async function () {
    skipWithoutChromium(this);
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-html-"));
    file = path.join(dir, "reports", "run.html");
    const reporter = new HtmlReporter({ file, cwd: REPO });
    for (const e of sampleEvents([FAILED, SKIPPED, PASSED, ERRORED, XSS])) reporter.onEvent(e);
    reporter.close();
    browser = await launchChromium(path.join(dir, "profile"));
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("request", (r) => requested.push(r.url()));
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    page.setDefaultTimeout(10_000);
    await page.goto(pathToFileURL(file).href);
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const shown = () => page.$$eval("details.test", (ds) => ds.filter((d) => !d.hasAttribute("hidden")).map((d) => d.id.slice("test-".length)));

  it("is one file that loads nothing but itself", async () => {
    expect(requested).to.deep.equal([pathToFileURL(file).href]);
    const html = readFileSync(file, "utf8");
    expect(html).not.to.match(/<(script|link|img|iframe)[^>]+(src|href)=/i);
  });

  it("lists every test by id with its summary", async () => {
    expect(await shown()).to.deep.equal(["imap.capability.basic", "imap.login.plain", "pop3.greeting", "smtp.starttls.upgrade", "smtp.transaction.basic"]);
    expect(await page.textContent("#summary")).to.include("1 passed, 2 failed, 1 skipped");
    expect(await page.textContent("#shown")).to.equal("5");
  });

  it("filters by protocol, status and level, together", async () => {
    await page.selectOption("#filter-protocol", "smtp");
    expect(await shown()).to.deep.equal(["smtp.starttls.upgrade", "smtp.transaction.basic"]);
    await page.selectOption("#filter-status", "failed");
    expect(await shown()).to.deep.equal(["smtp.transaction.basic"]);
    await page.selectOption("#filter-protocol", "");
    expect(await shown()).to.deep.equal(["imap.capability.basic", "smtp.transaction.basic"]);
    await page.selectOption("#filter-level", "SHOULD");
    expect(await shown()).to.deep.equal(["imap.capability.basic"]);
    expect(await page.textContent("#shown")).to.equal("1");
    await page.selectOption("#filter-status", "");
    await page.selectOption("#filter-level", "");
    expect(await shown()).to.have.length(5);
  });

  it("shows a test's failure, RFC references, quoted RFC sentence and transcript when opened", async () => {
    await page.click("#test-smtp\\.transaction\\.basic > summary");
    const text = await page.textContent("#test-smtp\\.transaction\\.basic");
    expect(text).to.include("--> test/runner/report/fixtures/transaction.yaml:15:9");
    expect(text).to.include("expected: 250");
    expect(text).to.include("RCPT TO:<bob@example.test>");
    expect(await page.$$eval("#test-smtp\\.transaction\\.basic .refs a", (as) => as.map((a) => a.textContent))).to.deep.equal(["RFC 5321 §3.3", "RFC 5321 §4.1.1.3"]);
    expect(await page.$$eval("#test-smtp\\.transaction\\.basic blockquote.quote", (qs) => qs.map((q) => q.textContent))).to.deep.equal(FAILED.quote);
    expect(await page.isVisible("#test-smtp\\.transaction\\.basic pre.transcript")).to.equal(true);
    expect(await page.textContent("#test-smtp\\.transaction\\.basic pre.transcript")).to.include("S: 501 5.1.3 Syntax error\\x00 \\x1b[31m<&>\"");
  });

  it("shows a <script> from the server as text, and runs none of it", async () => {
    await page.click("#test-imap\\.capability\\.basic > summary");
    expect(await page.textContent("#test-imap\\.capability\\.basic pre.transcript")).to.include(`S: a1 BAD ${HOSTILE}`);
    expect(await page.textContent("#test-imap\\.capability\\.basic summary")).to.include(HOSTILE);
    expect(await page.$$eval("body script", (ss) => ss.length)).to.equal(1);
    expect(await page.$$eval("img", (is) => is.length)).to.equal(0);
    expect(dialogs, "server text ran as script").to.equal(0);
  });
});
