// `includes` / `excludes`: the first words a multiline reply must or must not
// carry (EHLO keywords, CAPA tags), compared case-insensitively at run time.
// Standards: RFC 5321 §4.1.1.1 (EHLO keywords), RFC 2449 §5 (CAPA).

import type { LineSet, Template } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";

export function readLineSet(ctx: TestContext, includes: Slot | undefined, excludes: Slot | undefined, connection: string): LineSet | undefined {
  if (includes === undefined && excludes === undefined) return undefined;
  return { includes: words(ctx, includes, connection), excludes: words(ctx, excludes, connection) };
}

function words(ctx: TestContext, slot: Slot | undefined, connection: string): Template[] {
  if (slot === undefined) return [];
  const items = ctx.reader.list(slot, { nonEmpty: true }) ?? [];
  const out: Template[] = [];
  for (const item of items) {
    const word = ctx.template(item, connection);
    if (word !== undefined) out.push(word);
  }
  return out;
}
