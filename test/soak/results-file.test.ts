// soak/RESULTS.md keeps what engineers measured by hand when `npm run soak`
// rewrites it: everything below the marker, and any `## ` section above it
// the script does not write (moved below the marker), exactly once.

import { expect } from "chai";
import { HAND_WRITTEN_MARKER, withHandWritten } from "../../soak/results-file.ts";

const generated = (seed: number) =>
  [`# Soak results (npm run soak)`, "", `Seed ${seed}.`, "", "## Fuzzing in-process (per parser)", "", "| target | inputs |", "|---|---:|", `| smtp-command | ${seed} |`, "", "Result: all soak checks passed"].join("\n");
const attacks = "## Reliability: races (issue 13, items 4–7)\n\nMeasured by hand.\n\n| attack | before | after |\n|---|---|---|\n| rename | 602 stored | 0 stored |";
const runner = "## Runner integrity (issue 13, items 8–11)\n\n| run | peak RSS |\n|---|---:|\n| flood | 243 MB |";

describe("soak: RESULTS.md keeps its hand-written sections", () => {
  it("moves sections written before the marker existed below it, and keeps the marker's part as it is", () => {
    // The file as it was: a hand-written section between the generated ones and the Result line.
    const old = generated(1).replace("\nResult:", `\n${attacks}\n\nResult:`);
    const once = withHandWritten(generated(2), old);
    expect(once).to.equal(`${generated(2)}\n\n${HAND_WRITTEN_MARKER}\n\n${attacks}\n`);
    // Someone adds a section below the marker; the next campaign keeps both, and only once.
    const edited = `${once}\n${runner}\n`;
    const twice = withHandWritten(generated(3), edited);
    expect(twice).to.equal(`${generated(3)}\n\n${HAND_WRITTEN_MARKER}\n\n${attacks}\n\n${runner}\n`);
    expect(withHandWritten(generated(3), twice)).to.equal(twice);
  });

  it("writes the marker alone when there is nothing hand-written, and drops the old generated figures", () => {
    expect(withHandWritten(generated(2), generated(1))).to.equal(`${generated(2)}\n\n${HAND_WRITTEN_MARKER}\n`);
    expect(withHandWritten(generated(2), "")).to.equal(`${generated(2)}\n\n${HAND_WRITTEN_MARKER}\n`);
  });
});
