// Golden files pin the rendered wording of validate's output (Hurl's .err,
// Postfix's .ref): each golden/*.yaml is validated and compared with its .err.
// UPDATE_GOLDEN=1 rewrites the .err files after a deliberate wording change.

import { expect } from "chai";
import { describe, it } from "mocha";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { validatePaths } from "../../../runner/suite/validate.ts";

const DIR = "test/runner/suite/golden";

describe("validate output (golden files)", () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort()) {
    it(name, async () => {
      // Relative paths, as a user types them: the output must not depend on the machine.
      const { ok, output } = await validatePaths([path.join(DIR, name)]);
      const golden = path.join(DIR, name.replace(/\.yaml$/, ".err"));
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, `${output}\n`);
      expect(ok).to.equal(false);
      expect(`${output}\n`).to.equal(readFileSync(golden, "utf8"));
    });
  }
  it("says so when everything is fine", async () => {
    const { ok, output } = await validatePaths(["suites"]);
    expect(ok).to.equal(true);
    // Every test has its quote (a missing one is an error), so nothing is left to count.
    expect(output).to.match(/^\d+ files, \d+ tests: no errors$/);
  });
});
