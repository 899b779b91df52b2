// Content given inline or as a fixture file (`{text: ...}` or `{file: ...}`):
// DATA messages, IMAP literals and POP3 bodies compared byte-exact.
// Standards: none (suite language, docs/language.md "Content").

import type { ContentSource } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";

/**
 * The `text` or `file` entry of an already read map: exactly one of them.
 * `text` is a template; a file is sent as it is on disk.
 */
export function readContent(ctx: TestContext, owner: Slot, entries: ReadonlyMap<string, Slot>, connection: string): ContentSource | undefined {
  const text = entries.get("text");
  const file = entries.get("file");
  if (text !== undefined && file !== undefined) {
    ctx.reader.error(file.at, `${owner.name} takes 'text' or 'file', not both`);
    return undefined;
  }
  if (text !== undefined) {
    const value = ctx.template(text, connection);
    return value === undefined ? undefined : { kind: "text", text: value };
  }
  if (file !== undefined) {
    const resolved = ctx.fixture(file);
    return resolved === undefined ? undefined : { kind: "file", path: resolved };
  }
  ctx.reader.error(owner.node, `${owner.name} needs 'text' (inline content) or 'file' (a fixture path relative to the suite)`);
  return undefined;
}
