// Paths inside the installed package, found from this file rather than the
// working directory: `npx mailconform run` in any project runs the bundled
// suites/ of the package.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = fileURLToPath(new URL("../", import.meta.url));
export const BUNDLED_SUITES = fileURLToPath(new URL("../suites/", import.meta.url));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
