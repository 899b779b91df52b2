// Profiles: the shipped ones load and agree with profile.schema.json; a bad
// profile reports every mistake at file:line:col with a did-you-mean; the
// selection and the score follow the weights; skip reasons are classified
// from the orchestrator's own wording.

import { describe, it } from "mocha";
import { expect } from "chai";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { loadProfile, parseProfile, ProfileError } from "../../../runner/profile/load.ts";
import { profileTakes } from "../../../runner/profile/profile.ts";
import { scoreResults, skipCounts } from "../../../runner/profile/score.ts";
import { unreachableProtocols } from "../../../runner/grade/grade.ts";
import { skippedResult, unreachableResult } from "../../../runner/run/results.ts";
import { sampleTest } from "./sample-test.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describe("profiles", () => {
  it("ships smtp-basics, pop3-basics, imap-basics and full, each valid against the schema", async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON.parse(await readFile(path.join(ROOT, "runner", "schema", "profile.schema.json"), "utf8")));
    const files = (await readdir(path.join(ROOT, "profiles"))).sort();
    expect(files).to.include.members(["full.yaml", "imap-basics.yaml", "pop3-basics.yaml", "smtp-basics.yaml"]);
    for (const f of files) {
      const file = path.join(ROOT, "profiles", f);
      expect(validate(parse(await readFile(file, "utf8"))), `${f}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      const p = await loadProfile(file);
      expect(p.name).to.equal(f.replace(/\.yaml$/, ""));
      expect(p.weights).to.deep.equal({ MUST: 3, SHOULD: 1, MAY: 0 });
    }
  });

  it("smtp-basics takes the lecture's commands and leaves extensions out", async () => {
    const p = await loadProfile(path.join(ROOT, "profiles", "smtp-basics.yaml"));
    const take = (id: string, protocol: "smtp" | "pop3" = "smtp") => profileTakes(p, { id, protocol, tags: [], level: "MUST" });
    for (const id of ["smtp.greeting", "smtp.helo.basic", "smtp.ehlo.multiline", "smtp.rset.clears-transaction", "smtp.vrfy.supported", "smtp.noop", "smtp.quit.closes", "smtp.sequence.nested-mail"]) expect(take(id), id).to.equal(true);
    for (const id of ["smtp.starttls.basic", "smtp.auth.plain", "smtp.greetings", "smtp.pipelining.group"]) expect(take(id), id).to.equal(false);
    expect(take("pop3.greeting", "pop3")).to.equal(false);
  });

  it("reports every mistake with its position", () => {
    const text = ["name: My Profile", "title: x", "select:", "  protocol: [smtp]", "  levels: [MUST, SHOLD]", "  ids: ['(']", "weights: { MUST: -1 }", "pass-mark: 120", ""].join("\n");
    let error: ProfileError | undefined;
    try {
      parseProfile("p.yaml", text);
    } catch (e) {
      error = e as ProfileError;
    }
    expect(error).to.be.instanceOf(ProfileError);
    const at = error!.errors.map((e) => `${e.line}:${e.col} ${e.message}${e.suggestion ? ` / ${e.suggestion}` : ""}`);
    expect(at).to.deep.include.members([
      "4:3 unknown key 'protocol' in 'select' / protocols",
      "5:18 item 2 of 'levels' must be one of MUST, SHOULD, MAY, got 'SHOLD' / SHOULD",
      "8:12 'pass-mark' must be a percentage from 0 to 100, got the number 120",
    ]);
    expect(at.some((l) => l.startsWith("1:7 'name' must match"))).to.equal(true);
    expect(at.some((l) => l.startsWith("6:9 item 1 of 'ids' is not a valid regular expression"))).to.equal(true);
    expect(at.some((l) => l.startsWith("7:18 'MUST' must be from 0 to 100"))).to.equal(true);
    expect(error!.message).to.include("p.yaml:4:3");
  });

  it("scores by level weights and counts not-run tests and missing endpoints as failed", () => {
    const tests = [
      { id: "a", protocol: "smtp" as const, level: "MUST" as const, status: "passed" as const },
      { id: "b", protocol: "smtp" as const, level: "SHOULD" as const, status: "failed" as const },
      { id: "c", protocol: "smtp" as const, level: "MAY" as const, status: "failed" as const },
      { id: "d", protocol: "smtp" as const, level: "MUST" as const, status: "skipped" as const, skipReason: "server does not advertise STARTTLS", skipKind: "unadvertised" as const },
      { id: "e", protocol: "smtp" as const, level: "MUST" as const, status: "skipped" as const, skipReason: "not run: the run was interrupted", skipKind: "not-run" as const },
    ];
    const weights = { MUST: 3, SHOULD: 1, MAY: 0 };
    expect(scoreResults(tests, { weights, unadvertised: "ignore" })).to.deep.equal({ percent: 42.9, earned: 3, possible: 7, passed: 1, failed: 3, ignored: 1, mustFailed: 1 });
    expect(scoreResults(tests, { weights, unadvertised: "fail" }).percent).to.equal(30);
  });

  it("classifies skips by their kind, never by the wording of the reason", () => {
    expect(skipCounts("unadvertised", "ignore")).to.equal("ignored");
    expect(skipCounts("unadvertised", "fail")).to.equal("failed");
    expect(skipCounts("too-few-users", "fail")).to.equal("ignored");
    for (const kind of ["not-run", "aborted", "no-endpoint"] as const) expect(skipCounts(kind, "ignore")).to.equal("failed");
    // The words of one kind under another kind: the kind decides.
    const worded = { id: "x", protocol: "smtp" as const, level: "MUST" as const, status: "skipped" as const, skipReason: "not run: reworded", skipKind: "too-few-users" as const };
    expect(scoreResults([worded], { weights: { MUST: 3, SHOULD: 1, MAY: 0 }, unadvertised: "ignore" }).ignored).to.equal(1);
    const t = sampleTest();
    const unreachable = unreachableResult(t, "smtp", "127.0.0.1", { port: 1, tls: "none" }, { reason: "ECONNREFUSED", class: "connection" });
    expect(unreachableProtocols([unreachable, skippedResult(t, "x", "not-run")])).to.deep.equal(["smtp"]);
  });
});
