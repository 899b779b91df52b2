// How a run's verdict becomes a mutant's status, the score and the exit code,
// and which mutants a sample picks: pure functions, no run.

import { expect } from "chai";
import type { Mutant } from "../../mutants/corpus.ts";
import { classify, exitCode, resultLine, tally } from "../../mutants/score.ts";
import { select } from "../../mutants/select.ts";

function mutant(id: string, equivalent?: string): Mutant {
  const edits = [{ file: "reference-server/pop3/commands/stat.ts", find: "a", replace: "b" }];
  return { id, protocol: "pop3", description: `bug ${id}`, rfc: "RFC 1939 §5", edits, where: "pop3.yaml:1", ...(equivalent ? { equivalent } : {}) };
}

const failed = (...failing: string[]) => ({ kind: "failed" as const, failing, passed: 3 });
const passed = { kind: "passed" as const, passed: 10 };

describe("mutants: status, score and exit code", function () {
  it("a failing test kills; an all-green run is a survivor, or equivalent when the corpus says so", function () {
    expect(classify(mutant("pop3.a"), failed("t1", "t2", "t3"), 1).status).to.equal("killed");
    expect(resultLine(classify(mutant("pop3.a"), failed("t1", "t2", "t3"), 1), 240)).to.equal("killed   pop3.a  by t1 (+2 more)");
    expect(classify(mutant("pop3.b"), passed, 1).status).to.equal("survived");
    expect(resultLine(classify(mutant("pop3.b"), passed, 1), 240)).to.equal("SURVIVED pop3.b  — bug pop3.b (RFC 1939 §5)");
    expect(classify(mutant("pop3.c", "only a log line changes"), passed, 1).status).to.equal("equivalent");
    expect(classify(mutant("pop3.d"), { kind: "broken", detail: "no report" }, 1).status).to.equal("broken");
    expect(classify(mutant("pop3.e"), { kind: "timed-out" }, 1).status).to.equal("timed-out");
  });

  it("scores killed / (killed + survived + timed out): equivalent and broken mutants are not scored", function () {
    const results = [
      classify(mutant("pop3.a"), failed("t"), 1),
      classify(mutant("pop3.b"), passed, 1),
      classify(mutant("pop3.c", "why"), passed, 1),
      classify(mutant("pop3.d"), { kind: "broken", detail: "x" }, 1),
      classify(mutant("pop3.e"), { kind: "timed-out" }, 1),
    ];
    expect(tally(results)).to.deep.equal({ killed: 1, scored: 3, equivalent: 1, broken: 1, score: 100 / 3 });
  });

  it("exits 1 below --min-score, on a broken mutant, or on an equivalent mutant a test kills", function () {
    const killed = classify(mutant("pop3.a"), failed("t"), 1);
    const survived = classify(mutant("pop3.b"), passed, 1);
    expect(exitCode([killed, survived], 50)).to.equal(0);
    expect(exitCode([killed, survived], 50.1)).to.equal(1);
    expect(exitCode([killed], 100)).to.equal(0);
    expect(exitCode([killed, classify(mutant("pop3.d"), { kind: "broken", detail: "x" }, 1)], 0)).to.equal(1);
    const wronglyEquivalent = classify(mutant("pop3.c", "claimed"), failed("t"), 1);
    expect(wronglyEquivalent.status).to.equal("killed");
    expect(exitCode([wronglyEquivalent], 0)).to.equal(1);
    expect(exitCode([classify(mutant("pop3.c", "claimed"), passed, 1)], 95)).to.equal(0);
  });
});

describe("mutants: the sample", function () {
  const corpus = Array.from({ length: 40 }, (_, i) => mutant(`pop3.m${i}`, i % 5 === 0 ? "equivalent" : undefined));

  it("picks the same mutants for the same seed, in corpus order, never an equivalent one", function () {
    const a = select(corpus, { sample: 8, seed: "abc" });
    expect(a).to.have.length(8);
    expect(select(corpus, { sample: 8, seed: "abc" })).to.deep.equal(a);
    expect(a.every((m) => m.equivalent === undefined)).to.equal(true);
    expect([...a].sort((x, y) => corpus.indexOf(x) - corpus.indexOf(y))).to.deep.equal(a);
    expect(select(corpus, { sample: 8, seed: "another" }).map((m) => m.id)).to.not.deep.equal(a.map((m) => m.id));
  });

  it("filters by id first, and a sample larger than the choice takes every non-equivalent mutant", function () {
    const chosen = select(corpus, { id: /^pop3\.m1\d$/, sample: 100, seed: "abc" });
    expect(chosen.map((m) => m.id)).to.deep.equal(["pop3.m11", "pop3.m12", "pop3.m13", "pop3.m14", "pop3.m16", "pop3.m17", "pop3.m18", "pop3.m19"]);
    // Without --sample, equivalent mutants run too: a kill disproves the claim.
    expect(select(corpus, { id: /^pop3\.m1\d$/, seed: "abc" })).to.have.length(10);
  });
});
