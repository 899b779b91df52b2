import { expect } from "chai";
import type { RunEvent } from "../../../runner/model/events.ts";
import type { GateVerdict } from "../../../runner/model/gate.ts";
import { GithubReporter } from "../../../runner/report/github.ts";
import { fileURLToPath } from "node:url";
import { ERRORED, FAILED, PASSED, result, sampleEvents } from "./sample-run.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

function gate(over: Partial<GateVerdict>): GateVerdict {
  return { failOn: "must", regressions: [], fixes: [], regressionsOnly: false, ungatedExitCode: 1, exitCode: 1, reasons: [], ...over };
}

/** The workflow commands the reporter writes for a run, with run-end carrying `g`. */
function annotations(results = [FAILED, PASSED], g?: GateVerdict, cwd = REPO): string[] {
  let out = "";
  const reporter = new GithubReporter({ out: { write: (t: string) => (out += t) }, summaryFile: "", cwd });
  for (const e of sampleEvents(results)) reporter.onEvent(e.type === "run-end" && g ? ({ ...e, gate: g } as RunEvent) : e);
  return out.split("\n").filter(Boolean);
}

describe("report/github", function () {
  it("annotates a failure that fails the job as ::error at the suite file, line and column", function () {
    const [line] = annotations([FAILED], gate({ failOn: "must" }));
    expect(line).to.match(/^::error file=test\/runner\/report\/fixtures\/transaction\.yaml,line=15,col=9,title=smtp\.transaction\.basic \(MUST\)::/);
  });

  it("annotates a SHOULD failure under --fail-on must as ::warning, and as ::error under --fail-on should", function () {
    const should = { ...FAILED, level: "SHOULD" as const };
    expect(annotations([should], gate({ failOn: "must", exitCode: 0 }))[0]).to.match(/^::warning .*title=smtp\.transaction\.basic \(SHOULD%2C does not fail the job\)::/);
    expect(annotations([should], gate({ failOn: "should" }))[0]).to.match(/^::error /);
  });

  it("with --fail-on-regression, only the regressions are errors", function () {
    const other = { ...FAILED, id: "smtp.transaction.other" };
    const lines = annotations([FAILED, other], gate({ regressionsOnly: true, regressions: [{ id: "smtp.transaction.other", level: "MUST", before: "passed", now: "failed" }] }));
    expect(lines.map((l) => l.split(" ")[0])).to.deep.equal(["::warning", "::error"]);
  });

  it("annotates every failure as ::error when the run has no gate", function () {
    expect(annotations([FAILED, ERRORED]).map((l) => l.split(" ")[0])).to.deep.equal(["::error", "::error"]);
  });

  it("points an annotation on a bundled suite (outside the checkout, or in node_modules) at the test id, not at a file", function () {
    const elsewhere = annotations([FAILED], undefined, "/nonexistent/checkout")[0]!;
    expect(elsewhere).to.match(/^::error title=smtp\.transaction\.basic \(MUST\)::test smtp\.transaction\.basic \(bundled suite transaction\.yaml:15\)%0A/);
    expect(elsewhere).not.to.include("file=");
    const installed = result({ ...FAILED, file: `${REPO}node_modules/mailconform/suites/smtp/g.yaml`, failure: { ...FAILED.failure!, position: { file: `${REPO}node_modules/mailconform/suites/smtp/g.yaml`, line: 3, col: 1 } } });
    expect(annotations([installed])[0]).to.match(/^::error title=/);
  });
});
