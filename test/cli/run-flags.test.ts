import { expect } from "chai";
import { UsageError } from "../../cli/arguments.ts";
import { reportRequests, wantsColour, type RunFlags } from "../../cli/run.ts";
import { targetSourceFrom } from "../../cli/target-flags.ts";

const base: RunFlags = { user: [], tag: [], jobs: 1, timeout: 10_000 };

describe("cli/run flags", function () {
  it("uses the target file when given, the flags when given, else starts the reference server", function () {
    expect(targetSourceFrom({ ...base, target: "lab.yaml" })).to.deep.equal({ kind: "file", file: "lab.yaml" });
    const flags = targetSourceFrom({ ...base, host: "mx", smtp: 25, user: ["a:b"], insecure: true });
    expect(flags).to.deep.include({ kind: "flags" });
    expect((flags as { flags: unknown }).flags).to.deep.include({ host: "mx", smtp: 25, user: ["a:b"], insecure: true });
    expect(targetSourceFrom(base).kind).to.equal("started");
  });

  it("refuses --target together with target flags, naming them", function () {
    expect(() => targetSourceFrom({ ...base, target: "t.yaml", smtp: 25, user: ["a:b"] })).to.throw(UsageError, "--smtp, --user");
  });

  it("refuses target flags without any port", function () {
    expect(() => targetSourceFrom({ ...base, user: ["a:b"] })).to.throw(UsageError, /at least one port/);
  });

  it("maps each --report-* flag to its reporter", function () {
    expect(reportRequests({ ...base, reportJson: "a.json", reportAllure: "dir", reportEvents: "e.jsonl", reportJunit: "j.xml" })).to.deep.equal([
      { name: "json", destination: "a.json" },
      { name: "junit", destination: "j.xml" },
      { name: "allure", destination: "dir" },
      { name: "events", destination: "e.jsonl" },
    ]);
    expect(reportRequests(base)).to.deep.equal([]);
  });

  it("colours only a TTY without NO_COLOR, whatever CI says", function () {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(wantsColour(tty, {})).to.equal(true);
    expect(wantsColour(tty, { NO_COLOR: "1" })).to.equal(false);
    expect(wantsColour(pipe, { CI: "true", FORCE_COLOR: "1" })).to.equal(false);
  });
});
