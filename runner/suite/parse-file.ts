// One suite file's text parsed and read into the AST (yaml-document.ts,
// read-suite.ts), its fixtures checked to exist. Kept apart from load.ts so
// that a load the parsed-suite cache answers whole never loads the YAML
// parser or the readers: load.ts imports this module on its first miss.
// Standards: none (suite language, docs/language.md).

import { stat } from "node:fs/promises";
import path from "node:path";
import type { SuiteFile } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";
import { NodeReader } from "./node-reader.ts";
import { readSuite } from "./read-suite.ts";
import type { IdSite } from "./unique-ids.ts";
import { parseYaml } from "./yaml-document.ts";

export interface ParsedFile {
  /** Present when the file has no error. */
  suite?: SuiteFile;
  ids: IdSite[];
  errors: SuiteError[];
  /** Absolute paths of the fixtures the suite names. */
  fixtures: string[];
}

/** `text` of `file` (the name messages show) read into a suite, or into its errors. */
export async function parseSuiteFile(file: string, text: string): Promise<ParsedFile> {
  const { source, errors } = parseYaml(file, text);
  // After a syntax error the document is a guess; reading it would add noise.
  if (errors.length > 0) return { ids: [], errors, fixtures: [] };
  const read = readSuite(source, file);
  const fixtureReader = new NodeReader(source);
  await Promise.all(
    read.fixtures.map(async (fixture) => {
      const written = path.relative(path.dirname(path.resolve(file)), fixture.path);
      // Named as the suite is named (relative stays relative): messages must not depend on the machine.
      const shown = path.join(path.dirname(file), written);
      try {
        if (!(await stat(fixture.path)).isFile()) fixtureReader.error(fixture.node, `fixture '${written}' is not a file (${shown})`);
      } catch {
        fixtureReader.error(fixture.node, `fixture '${written}' not found: fixture paths are relative to the suite file (${shown})`);
      }
    }),
  );
  const all = [...read.errors, ...fixtureReader.errors];
  const parsed: ParsedFile = { ids: read.ids, errors: all, fixtures: read.fixtures.map((f) => f.path) };
  if (read.suite !== undefined && all.length === 0) parsed.suite = read.suite;
  return parsed;
}
