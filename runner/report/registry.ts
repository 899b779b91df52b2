// The built-in reporters by name, each built from explicit options; the
// orchestrator asks for reporters by name and never constructs one itself.
// Where a report goes is decided by the caller (CLI flags or defaults).

// Each reporter's module is imported when it is asked for: a run loads only
// the ones it writes (Allure's SDK alone costs a start-up ~35 ms of CPU).

import { ConsoleReporter, type Verbosity } from "./console.ts";
import type { Colors } from "./format/failure-text.ts";
import type { Reporter, TextSink } from "./reporter.ts";

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
export type ReporterFactory = (destination: string, context: ReporterContext) => Promise<Reporter>;

export const REPORTERS: Record<ReporterName, ReporterFactory> = {
  console: async (_dest, ctx) => consoleReporter(ctx),
  json: async (file, ctx) => new (await import("./json.ts")).JsonReporter({ file, cwd: ctx.cwd }),
  junit: async (file, ctx) => new (await import("./junit.ts")).JunitReporter({ file, cwd: ctx.cwd }),
  allure: async (dir, ctx) => new (await import("./allure.ts")).AllureReporter({ dir, cwd: ctx.cwd }),
  events: async (file) => new (await import("./events.ts")).EventsReporter({ file }),
  ctrf: async (file, ctx) => new (await import("./ctrf.ts")).CtrfReporter({ file, cwd: ctx.cwd }),
  /** `destination` is the step-summary file ($GITHUB_STEP_SUMMARY), or "" for annotations only. */
  github: async (summaryFile, ctx) => new (await import("./github.ts")).GithubReporter({ out: ctx.out, summaryFile, cwd: ctx.cwd }),
  html: async (file, ctx) => new (await import("./html.ts")).HtmlReporter({ file, cwd: ctx.cwd }),
  /** One .pcapng per test, named by its id. */
  pcap: async (dir) => new (await import("./pcap.ts")).PcapReporter({ dir }),
};

function consoleReporter(ctx: ReporterContext): Reporter {
  return new ConsoleReporter({ out: ctx.out, colors: ctx.colors, cwd: ctx.cwd, stats: ctx.stats ?? false, verbosity: ctx.verbosity ?? "normal" });
}

export interface ReportRequest {
  name: ReporterName;
  destination: string;
}

/**
 * Build the requested reporters; when none of them prints to the terminal, a
 * console reporter goes first, as Playwright adds its default one.
 */
export async function createReporters(requests: readonly ReportRequest[], context: ReporterContext): Promise<Reporter[]> {
  const reporters = await Promise.all(requests.map((r) => REPORTERS[r.name](r.destination, context)));
  if (!reporters.some((r) => r.printsToConsole)) reporters.unshift(consoleReporter(context));
  return reporters;
}
