// `mailconform report html`: Allure results → a static HTML report, by
// allure-commandline's `allure generate --clean` (Java 17, offline). Allure's
// index.html loads an analytics script from a third-party host; no page this
// tool writes contacts another host, so it is taken out after generation.
// Standards: HTML Living Standard (the script element).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { ChildProcess } from "node:child_process";
import type { ExitCode } from "../runner/model/result.ts";

export const DEFAULT_ALLURE_RESULTS = "reports/allure-results";
export const DEFAULT_HTML_OUT = "reports/allure-report";

export async function reportHtmlCommand(flags: { allure?: string; out?: string }): Promise<ExitCode> {
  const results = flags.allure ?? DEFAULT_ALLURE_RESULTS;
  const out = flags.out ?? DEFAULT_HTML_OUT;
  if (!existsSync(results)) {
    process.stderr.write(`mailconform: no Allure results in ${results}; write them with \`mailconform run --report-allure ${results}\`\n`);
    return 2;
  }
  const allure = createRequire(import.meta.url)("allure-commandline") as (args: string[]) => ChildProcess;
  const child = allure(["generate", "--clean", results, "-o", out]);
  const code = await new Promise<number>((resolve) => {
    child.once("error", (e) => {
      process.stderr.write(`mailconform: could not start allure (it needs Java 17 or later): ${e.message}\n`);
      resolve(1);
    });
    child.once("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    process.stderr.write(`mailconform: allure generate exited with ${code}\n`);
    return 1;
  }
  const index = path.join(out, "index.html");
  if (existsSync(index)) writeFileSync(index, withoutRemoteScripts(readFileSync(index, "utf8")));
  process.stdout.write(`HTML report: ${index} (open it through an HTTP server: npx allure open ${out})\n`);
  return 0;
}

/**
 * The page without scripts loaded from another host, nor the inline ones that
 * feed them (Google Analytics' gtag queue): the report's own bundle is local.
 */
export function withoutRemoteScripts(html: string): string {
  return html
    .replace(/[ \t]*<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^>]*>\s*<\/script>[ \t]*\r?\n?/gi, "")
    .replace(/[ \t]*<script\b[^>]*>(?:(?!<\/script>)[\s\S])*\b(?:gtag|dataLayer)\b(?:(?!<\/script>)[\s\S])*<\/script>[ \t]*\r?\n?/gi, "");
}
