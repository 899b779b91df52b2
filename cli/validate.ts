// `mailconform validate [paths…]`: check suite files against the schema and
// the loader's rules without running anything; exit 0 when valid, 2 if not.

import type { ExitCode } from "../runner/model/result.ts";
import { BUNDLED_SUITES } from "./package-root.ts";

export async function validateCommand(paths: string[]): Promise<ExitCode> {
  const { validatePaths } = await import("../runner/suite/validate.ts");
  const { ok, output } = await validatePaths(paths.length > 0 ? paths : [BUNDLED_SUITES]);
  if (output) (ok ? process.stdout : process.stderr).write(output.endsWith("\n") ? output : output + "\n");
  return ok ? 0 : 2;
}
