// `mailconform report html`: Allure results → a static HTML report, by
// allure-commandline's `allure generate --clean` (Java 17, offline).

import { existsSync } from "node:fs";
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
  process.stdout.write(`HTML report: ${out}/index.html\n`);
  return 0;
}
