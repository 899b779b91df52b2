// In a checkout (the TypeScript sources beside bin/): whether dist/ still
// matches the sources. An edit, a new file or a deleted one after the start
// of the last build (dist/BUILT's date) makes it stale; `mailconform` then
// runs the sources through tsx, so a forgotten build never hides an edit.
// Standards: none (packaging).

import { readdirSync, statSync } from "node:fs";

/** The folders bin/build-dist.js compiles (tsconfig.build.json's include). */
export const SOURCE_DIRS = ["wire", "cli", "runner", "reference-server"];

/** True when dist/ was built from the sources as they are now. `root`: the package root URL. */
export function distIsCurrent(root) {
  let built;
  try {
    built = statSync(new URL("dist/BUILT", root)).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of SOURCE_DIRS) {
    const top = new URL(`${dir}/`, root);
    // A folder's own date changes when a file in it is added, removed or renamed.
    if (statSync(top).mtimeMs > built) return false;
    for (const entry of readdirSync(top, { recursive: true, withFileTypes: true })) {
      if (statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > built) return false;
    }
  }
  return true;
}
