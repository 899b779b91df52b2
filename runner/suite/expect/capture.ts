// `capture: { name: regex }` as every protocol's expectation writes it, and
// the bindings an expectation adds to the test's variables once it is read.
// Standards: none (suite language, docs/language.md "Captures").

import type { Node } from "yaml";
import type { Capture } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";
import { CAPTURE_NAME } from "../vocabulary.ts";

/** A variable an expectation binds for the steps after it. */
export interface Binding {
  name: string;
  node: Node | null;
}

export interface ExpectRead<T> {
  expect: T;
  binds: Binding[];
}

export function readCaptures(ctx: TestContext, slot: Slot | undefined, connection: string, binds: Binding[]): Capture[] {
  if (slot === undefined) return [];
  const entries = ctx.reader.dict(slot, "'capture'", CAPTURE_NAME, "letters, digits and '_', not starting with a digit");
  if (entries === undefined) return [];
  const captures: Capture[] = [];
  for (const { key, keyNode, value } of entries) {
    const regex = ctx.regex(value, connection, { groups: 1 });
    if (regex === undefined) continue;
    captures.push({ name: key, regex, span: ctx.reader.span(keyNode) });
    binds.push({ name: key, node: keyNode });
  }
  return captures;
}
