// The import directions STYLE.md sets, checked by reading every module's
// imports (static and dynamic), as Playwright's DEPS.list check does: a
// disallowed import fails here with the file and the specifier.

import { expect } from "chai";
import { describe, it } from "mocha";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

/** Every relative import of every module under `dirs`, resolved to a repo path. */
function edges(...dirs: string[]): Edge[] {
  const out: Edge[] = [];
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(path.join(REPO, file), "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith(".")) continue;
      out.push({ from: file, to: path.normalize(path.join(path.dirname(file), spec)) });
    }
  }
  return out;
}

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);
const show = (bad: Edge[]) => bad.map((e) => `${e.from} -> ${e.to}`).join("\n");

describe("import directions (STYLE.md)", function () {
  it("finds the imports it checks", function () {
    // Guards the checks below against passing on an empty list.
    expect(edges("runner").length).to.be.greaterThan(100);
    expect(edges("reference-server").length).to.be.greaterThan(100);
  });

  it("the runner never imports reference-server/ (only cli/ knows both)", function () {
    const bad = edges("runner").filter((e) => inside(e.to, "reference-server"));
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it("the reference server imports nothing of the runner or the CLI", function () {
    const bad = edges("reference-server").filter((e) => inside(e.to, "runner") || inside(e.to, "cli"));
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it("wire/ imports nothing outside itself", function () {
    const wire = "wire";
    const bad = edges(wire).filter((e) => !inside(e.to, wire));
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it("runner/plan/ imports only runner/model/", function () {
    const plan = path.join("runner", "plan");
    const bad = edges(plan).filter((e) => !inside(e.to, plan) && !inside(e.to, path.join("runner", "model")));
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it("runner/report/ never sees sockets: no import of exec/, protocols/ or run/", function () {
    const bad = edges(path.join("runner", "report")).filter((e) =>
      ["exec", "protocols", "run"].some((d) => inside(e.to, path.join("runner", d))),
    );
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it("a server protocol folder never imports another protocol folder", function () {
    const protocols = ["smtp", "pop3", "imap"].map((p) => path.join("reference-server", p));
    const bad = edges(...protocols).filter((e) => {
      const own = protocols.find((p) => inside(e.from, p))!;
      return protocols.some((p) => p !== own && inside(e.to, p));
    });
    expect(bad, show(bad)).to.deep.equal([]);
  });

  it("the store imports no protocol, core or auth module", function () {
    const bad = edges(path.join("reference-server", "store")).filter((e) =>
      ["smtp", "pop3", "imap", "core", "auth"].some((d) => inside(e.to, path.join("reference-server", d))),
    );
    expect(bad, show(bad)).to.deep.equal([]);
  });
});
