// `mailconform validate [paths]`: loads the suites without running them and
// renders every error with its position and excerpt, then a one-line summary.
// The CLI maps `ok` to exit code 0 or 2.
// Standards: none.

import { formatSuiteErrors } from "./format.ts";
import { loadSuites } from "./load.ts";

export async function validatePaths(paths: string[]): Promise<{ ok: boolean; output: string }> {
  const loaded = await loadSuites(paths);
  const { suites, errors } = loaded;
  const files = loaded.files.length;
  if (errors.length === 0 && files === 0) {
    return { ok: false, output: `no suite files (*.yaml, *.yml) found in ${paths.join(", ")}` };
  }
  const tests = suites.reduce((n, s) => n + s.tests.length, 0);
  const failedFiles = new Set(errors.map((e) => e.file)).size;
  const summary =
    errors.length === 0
      ? `${plural(files, "file")}, ${plural(tests, "test")}: no errors`
      : `${plural(errors.length, "error")} in ${plural(failedFiles, "file")} (${plural(files, "file")} read)`;
  const body = formatSuiteErrors(errors);
  return { ok: errors.length === 0, output: body === "" ? summary : `${body}\n\n${summary}` };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
