// The mutation corpus (mutants/*.yaml): the real files read clean and every
// mutant applies to the sources as they are now (an edit of the reference
// server that moves a mutant's `find` fails here, not in a long run); the
// fixture corpus shows each mistake named by file:line and id.

import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyEdits, loadCorpus } from "../../mutants/corpus.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("fixtures/", import.meta.url));
const relative = (file: string) => path.relative(REPO, file);

describe("mutants: the corpus", function () {
  it("reads mutants/*.yaml without an error, and every mutant applies cleanly to the current sources", function () {
    // Missing or empty corpus files are empty lists: this holds before the corpus is written too.
    const { errors, mutants } = loadCorpus(path.join(REPO, "mutants"), REPO, relative);
    expect(errors).to.deep.equal([]);
    for (const m of mutants) expect(m.id.startsWith(`${m.protocol}.`), m.id).to.equal(true);
  });

  it("reads a missing or empty corpus file as no mutants", function () {
    expect(loadCorpus(path.join(FIXTURES, "empty"), REPO)).to.deep.equal({ mutants: [], errors: [] });
  });

  it("names each mistake by file:line and id, and keeps the good entries", function () {
    const { errors, mutants } = loadCorpus(path.join(FIXTURES, "invalid"), REPO, relative);
    const file = "test/mutants/fixtures/invalid/pop3.yaml";
    expect(errors).to.deep.equal([
      `${file}:13: pop3.fixture.bad-find: find not found in reference-server/pop3/commands/stat.ts: "this text is not in stat.ts"`,
      `${file}:16: pop3.fixture.good: duplicate id (first at ${file}:2)`,
      `${file}:23: smtp.fixture.wrong-prefix: the id must start with "pop3." (the file's protocol)`,
      `${file}:30: pop3.fixture.no-rfc: missing rfc (one line: the section it breaks, e.g. RFC 5321 §4.1.1.5)`,
      `${file}:40: pop3.fixture.several: find occurs 4 times in reference-server/pop3/commands/stat.ts; say which with occurrence: 1..4`,
      `${file}:49: pop3.fixture.unknown-key: unknown key "severity"`,
    ]);
    expect(mutants.map((m) => m.id)).to.deep.equal(["pop3.fixture.good", "pop3.fixture.occurrence"]);
  });

  it("changes exactly the occurrence asked for, and a later edit of a file sees the earlier one", function () {
    const source = readFileSync(path.join(REPO, "reference-server/pop3/commands/stat.ts"), "utf8");
    const read = () => source;
    const file = "reference-server/pop3/commands/stat.ts";
    const second = applyEdits([{ file, find: "STAT", replace: "XSTAT", occurrence: 2 }], read).texts.get(file)!;
    const at = source.indexOf("STAT", source.indexOf("STAT") + 1);
    expect(second).to.equal(source.slice(0, at) + "X" + source.slice(at));
    const chained = applyEdits(
      [
        { file, find: "STAT takes no arguments", replace: "STAT takes none" },
        { file, find: "takes none", replace: "takes nothing" },
      ],
      read,
    );
    expect(chained.errors).to.deep.equal([]);
    expect(chained.texts.get(file)).to.equal(source.replace("STAT takes no arguments", "STAT takes nothing"));
  });
});
