// The built-in reporters by name, each built from explicit options; the
// orchestrator asks for reporters by name and never constructs one itself.
// Where a report goes is decided by the caller (CLI flags or defaults).

import { AllureReporter } from "./allure.ts";
import { ConsoleReporter, type Verbosity } from "./console.ts";
import { EventsReporter } from "./events.ts";
import type { Colors } from "./format/failure-text.ts";
import { JsonReporter } from "./json.ts";
import { JunitReporter } from "./junit.ts";
import type { Reporter, TextSink } from "./reporter.ts";
import { CtrfReporter } from "./ctrf.ts";
import { GithubReporter } from "./github.ts";
import { HtmlReporter } from "./html.ts";
import { PcapReporter } from "./pcap.ts";

export interface ReporterContext {
  cwd: string;
  /** Console output; colours only when the caller decided the sink is a terminal. */
  out: TextSink;
  colors?: Colors;
  /** --stats: the console prints the protocol statistics. */
  stats?: boolean;
  /** -v prints each test's dialogue as it runs; --quiet only failures and the summary. */
  verbosity?: Verbosity;
}

export type ReporterName = "console" | "json" | "junit" | "allure" | "events" | "ctrf" | "github" | "html" | "pcap";

/** `destination` is a file (json, junit, events, html) or a directory (allure, pcap); console ignores it. */
export type ReporterFactory = (destination: string, context: ReporterContext) => Reporter;

export const REPORTERS: Record<ReporterName, ReporterFactory> = {
  console: (_dest, ctx) => new ConsoleReporter({ out: ctx.out, colors: ctx.colors, cwd: ctx.cwd, stats: ctx.stats ?? false, verbosity: ctx.verbosity ?? "normal" }),
  json: (file, ctx) => new JsonReporter({ file, cwd: ctx.cwd }),
  junit: (file, ctx) => new JunitReporter({ file, cwd: ctx.cwd }),
  allure: (dir, ctx) => new AllureReporter({ dir, cwd: ctx.cwd }),
  events: (file) => new EventsReporter({ file }),
  ctrf: (file, ctx) => new CtrfReporter({ file, cwd: ctx.cwd }),
  /** `destination` is the step-summary file ($GITHUB_STEP_SUMMARY), or "" for annotations only. */
  github: (summaryFile, ctx) => new GithubReporter({ out: ctx.out, summaryFile, cwd: ctx.cwd }),
  html: (file, ctx) => new HtmlReporter({ file, cwd: ctx.cwd }),
  /** One .pcapng per test, named by its id. */
  pcap: (dir) => new PcapReporter({ dir }),
};

export interface ReportRequest {
  name: ReporterName;
  destination: string;
}

/**
 * Build the requested reporters; when none of them prints to the terminal, a
 * console reporter goes first, as Playwright adds its default one.
 */
export function createReporters(requests: readonly ReportRequest[], context: ReporterContext): Reporter[] {
  const reporters = requests.map((r) => REPORTERS[r.name](r.destination, context));
  if (!reporters.some((r) => r.printsToConsole)) reporters.unshift(REPORTERS.console("", context));
  return reporters;
}
