// Test ids are unique across every suite of a run: the one check, used by the
// loader (within and across files) and by the run before it plans anything.
// Standards: none (suite language, docs/language.md "Tests").

import type { Span } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";

/** Where a test id is written; `length` underlines it. */
export interface IdSite {
  id: string;
  span: Span;
  length?: number;
}

/**
 * An error at each site whose id was used before, naming that first use: in
 * `sites` themselves if there (one file: the nearest place to fix), else in
 * `earlier`, which carries the ids of the calls before (file by file).
 */
export function duplicateIds(sites: Iterable<IdSite>, earlier = new Map<string, Span>()): SuiteError[] {
  const errors: SuiteError[] = [];
  const here = new Map<string, Span>();
  for (const site of sites) {
    const first = here.get(site.id) ?? earlier.get(site.id);
    if (!here.has(site.id)) here.set(site.id, site.span);
    if (first === undefined) {
      earlier.set(site.id, site.span);
      continue;
    }
    const error: SuiteError = {
      file: site.span.file,
      line: site.span.line,
      col: site.span.col,
      message: `duplicate test id '${site.id}' (first used at ${first.file}:${first.line}:${first.col})`,
    };
    if (site.length !== undefined) error.length = site.length;
    errors.push(error);
  }
  return errors;
}
