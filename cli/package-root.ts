// Paths inside the installed package, found from the package's own name
// rather than the working directory or this file's depth (it runs from cli/
// in a checkout and from dist/cli/ when compiled): `npx mailconform run` in
// any project runs the bundled suites/ of the package.
// Standards: none (packaging).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** package.json, through the package's self-reference (its "exports" names it). */
const PACKAGE_JSON = import.meta.resolve("mailconform/package.json");

export const PACKAGE_ROOT = fileURLToPath(new URL("./", PACKAGE_JSON));
export const BUNDLED_SUITES = fileURLToPath(new URL("./suites/", PACKAGE_JSON));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL(PACKAGE_JSON), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
