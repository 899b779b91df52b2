// `mailconform coverage [paths…] [--out FILE.md]`: load the suites and print
// (or write) the coverage matrix per RFC section and per command. Exit 2 when
// a suite does not load, like `validate`.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ExitCode } from "../runner/model/result.ts";
import { BUNDLED_SUITES } from "./package-root.ts";

export interface CoverageFlags {
  out?: string;
}

export async function coverageCommand(paths: string[], flags: CoverageFlags): Promise<ExitCode> {
  const { loadSuites } = await import("../runner/suite/load.ts");
  const { buildCoverage } = await import("../runner/coverage/matrix.ts");
  const { renderCoverageMarkdown } = await import("../runner/coverage/render.ts");
  const { suites, errors } = await loadSuites(paths.length > 0 ? paths : [BUNDLED_SUITES]);
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${e.file}:${e.line}:${e.col}: ${e.message}\n`);
    process.stderr.write("mailconform: fix the suite errors above (see `mailconform validate`)\n");
    return 2;
  }
  const markdown = renderCoverageMarkdown(buildCoverage(suites), "mailconform coverage");
  if (flags.out) {
    await mkdir(path.dirname(path.resolve(flags.out)), { recursive: true });
    await writeFile(flags.out, markdown);
    process.stdout.write(`coverage written to ${flags.out}\n`);
  } else {
    process.stdout.write(markdown);
  }
  return 0;
}
