// Content given inline or as a fixture file (`{text: ...}` or `{file: ...}`):
// DATA messages, IMAP literals and POP3 bodies compared byte-exact. A fixture
// with `interpolate: true` is a template too, read and checked here, its
// errors placed at the fixture's own line and column.
// Standards: none (suite language, docs/language.md "Content").

import { readFileSync } from "node:fs";
import path from "node:path";
import type { ContentSource, Template } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";

/**
 * The `text` or `file` entry of an already read map: exactly one of them.
 * `text` is a template; a file is sent as it is on disk, unless the map says
 * `interpolate: true` (where the map's keys allow it).
 */
export function readContent(ctx: TestContext, owner: Slot, entries: ReadonlyMap<string, Slot>, connection: string): ContentSource | undefined {
  const text = entries.get("text");
  const file = entries.get("file");
  const interpolateSlot = entries.get("interpolate");
  if (text !== undefined && file !== undefined) {
    ctx.reader.error(file.at, `${owner.name} takes 'text' or 'file', not both`);
    return undefined;
  }
  const interpolate = interpolateSlot === undefined ? false : ctx.reader.boolean(interpolateSlot);
  if (interpolate === undefined) return undefined;
  if (interpolateSlot !== undefined && text !== undefined) {
    // Inline text is always a template; the key would say nothing there.
    ctx.reader.error(interpolateSlot.at, `'interpolate' applies to 'file': inline 'text' is always a template`);
    return undefined;
  }
  if (text !== undefined) {
    const value = ctx.template(text, connection);
    return value === undefined ? undefined : { kind: "text", text: value };
  }
  if (file !== undefined) {
    const resolved = ctx.fixture(file);
    if (resolved === undefined) return undefined;
    if (!interpolate) return { kind: "file", path: resolved };
    const interpolated = fixtureTemplate(ctx, file, resolved, connection);
    return interpolated === undefined ? undefined : { kind: "file", path: resolved, interpolated };
  }
  ctx.reader.error(owner.node, `${owner.name} needs 'text' (inline content) or 'file' (a fixture path relative to the suite)`);
  return undefined;
}

/**
 * A fixture compiled as a template. Read as latin1 — one char per octet — so
 * an 8-bit fixture keeps its octets exactly; `${` errors and unknown variables
 * are reported at the fixture's line and column (a column counts the line's
 * characters read as UTF-8), under the name the suite file is shown by.
 */
function fixtureTemplate(ctx: TestContext, fileSlot: Slot, resolved: string, connection: string): Template | undefined {
  let octets: string;
  try {
    octets = readFileSync(resolved).toString("latin1");
  } catch {
    // The loader reports a missing fixture (or a folder) at the 'file' value once the suite is read.
    return undefined;
  }
  const suiteFile = ctx.reader.source.file;
  const shown = path.join(path.dirname(suiteFile), path.relative(path.dirname(path.resolve(suiteFile)), resolved));
  return ctx.compile(fileSlot.node, octets, connection, (index, message, options) => {
    const lineStart = octets.lastIndexOf("\n", index - 1) + 1;
    const line = countNewlines(octets, lineStart) + 1;
    const col = Buffer.from(octets.slice(lineStart, index), "latin1").toString("utf8").length + 1;
    const error = { file: shown, line, col, message: `in the interpolated fixture: ${message}`, length: options.length ?? 1 };
    ctx.reader.errors.push(options.suggestion === undefined ? error : { ...error, suggestion: options.suggestion });
  });
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0 && at < end; at = text.indexOf("\n", at + 1)) count++;
  return count;
}
