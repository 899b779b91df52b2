// How a suite file is named in reports: relative to the working directory
// when it lies below it (short, clickable in a terminal), absolute otherwise.

import path from "node:path";

export function displayPath(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return abs;
  return rel.split(path.sep).join("/");
}
