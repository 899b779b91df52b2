// What a grading profile is: which tests an assignment takes (by protocol, id
// pattern, tag, level), how each requirement level weighs, and the pass mark.
// Read by profile/load.ts from YAML (schema runner/schema/profile.schema.json);
// used by grade/ to select and score, and by gate/ for its default weights.
// Standards: RFC 2119 (requirement levels).

import type { Level, Protocol } from "../model/ast.ts";

export type Weights = Record<Level, number>;

/** RFC 2119 levels by consequence: a MUST failure costs three times a SHOULD; a MAY is informational. */
export const DEFAULT_WEIGHTS: Weights = { MUST: 3, SHOULD: 1, MAY: 0 };
export const DEFAULT_PASS_MARK = 50;

export interface TestFilter {
  protocols: Protocol[];
  /** Regular expressions over the id; a test is taken when any matches (empty: all). */
  ids: RegExp[];
  /** A test is taken when it carries any of these (empty: all). */
  tags: string[];
  levels: Level[];
}

export interface Profile {
  name: string;
  title: string;
  description?: string;
  /** File it was read from, when it came from one. */
  file?: string;
  select: TestFilter;
  exclude: { ids: RegExp[]; tags: string[] };
  weights: Weights;
  /** Percent of the possible weighted points needed to pass. */
  passMark: number;
  /**
   * A test skipped because the server does not advertise an optional
   * extension: left out of the score ("ignore", default) or counted as failed.
   */
  unadvertised: "ignore" | "fail";
}

/** The profile `mailconform run --min-score` scores with when none is named: every test, default weights. */
export const EVERYTHING: Profile = {
  name: "everything",
  title: "Every selected test",
  select: { protocols: [], ids: [], tags: [], levels: [] },
  exclude: { ids: [], tags: [] },
  weights: DEFAULT_WEIGHTS,
  passMark: DEFAULT_PASS_MARK,
  unadvertised: "ignore",
};

interface Selectable {
  id: string;
  protocol: Protocol;
  tags: string[];
  level: Level;
}

/** Does the profile take this test? Criteria combine with AND; values within one criterion with OR. */
export function profileTakes(profile: Profile, test: Selectable): boolean {
  const { select, exclude } = profile;
  const tags = test.tags.map((t) => t.toLowerCase());
  const anyTag = (wanted: string[]) => wanted.some((t) => tags.includes(t.toLowerCase()));
  if (select.protocols.length > 0 && !select.protocols.includes(test.protocol)) return false;
  if (select.levels.length > 0 && !select.levels.includes(test.level)) return false;
  if (select.ids.length > 0 && !select.ids.some((re) => re.test(test.id))) return false;
  if (select.tags.length > 0 && !anyTag(select.tags)) return false;
  if (exclude.ids.some((re) => re.test(test.id))) return false;
  if (exclude.tags.length > 0 && anyTag(exclude.tags)) return false;
  return true;
}
