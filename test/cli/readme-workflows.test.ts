// The README's GitHub Actions workflows, read as GitHub reads them: every
// ```yaml block with a `runs-on:` is a workflow that must parse as YAML (a
// `${{ }}` expression inside a `{ }` flow map does not, and GitHub rejects
// the file) with an `on:` and its jobs. The class-grading workflow must also
// hang together: as many `--shard i/N` as matrix entries, every shard's
// folder uploaded and handed to merge-grades, and a shard whose grade exits
// non-zero (a target incomplete) neither cancelling the others nor losing
// the scoreboard. The shard/merge commands themselves: test/runner/grade/shard.test.ts.

import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": string;
  needs?: string | string[];
  if?: string;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  on: unknown;
  jobs: Record<string, Job>;
}

function workflows(): { text: string; workflow: Workflow }[] {
  const blocks = [...README.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((b) => /^\s+runs-on:/m.test(b));
  return blocks.map((text) => {
    const doc = parseDocument(text);
    expect(doc.errors.map((e) => e.message), `README workflow does not parse:\n${text}`).to.deep.equal([]);
    return { text, workflow: doc.toJS() as Workflow };
  });
}

describe("README GitHub Actions workflows", () => {
  it("every workflow parses, with a trigger and jobs of steps", () => {
    const found = workflows();
    expect(found.length).to.be.at.least(2);
    for (const { text, workflow } of found) {
      expect(workflow.on, `no 'on:' in\n${text}`).to.not.equal(undefined);
      for (const [name, job] of Object.entries(workflow.jobs)) {
        expect(job["runs-on"], name).to.be.a("string");
        expect(job.steps, name).to.be.an("array").that.is.not.empty;
      }
    }
  });

  it("the class-grading matrix grades every shard once and joins them all, whatever one shard's exit code", () => {
    const grading = workflows().find(({ text }) => text.includes("merge-grades"));
    expect(grading, "a workflow with merge-grades").to.not.equal(undefined);
    const jobs = Object.entries(grading!.workflow.jobs);
    const [gradeName, gradeJob] = jobs.find(([, j]) => j.steps.some((s) => s.run?.includes(" grade ")))!;
    const [, joinJob] = jobs.find(([, j]) => j.steps.some((s) => s.run?.includes("merge-grades")))!;
    const shards = gradeJob.strategy!.matrix!.shard!;
    const run = gradeJob.steps.find((s) => s.run?.includes(" grade "))!.run!;
    const [, total] = /--shard \$\{\{ matrix\.shard \}\}\/(\d+)/.exec(run) ?? [];
    expect(Number(total), "--shard i/N with N the matrix's size").to.equal(shards.length);
    expect(run).to.include("--out grade-${{ matrix.shard }}");
    // A failing shard: the others go on, its folder is still uploaded, and the scoreboard job still runs.
    expect(gradeJob.strategy!["fail-fast"]).to.equal(false);
    const upload = gradeJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
    expect(upload.if).to.match(/always\(\)|!cancelled\(\)/);
    expect(upload.with).to.deep.include({ name: "grade-${{ matrix.shard }}", path: "grade-${{ matrix.shard }}" });
    expect(joinJob.needs).to.equal(gradeName);
    expect(joinJob.if).to.match(/always\(\)|!cancelled\(\)/);
    expect(joinJob.steps.some((s) => s.uses?.startsWith("actions/download-artifact"))).to.equal(true);
    const merge = joinJob.steps.find((s) => s.run?.includes("merge-grades"))!.run!;
    expect(merge).to.include(shards.map((i) => `grade-${String(i)}`).join(" "));
  });
});
