// The octets of a step's content (runner/model/ast.ts ContentSource): inline
// text resolved and sent as UTF-8, a fixture as it is on disk, or an
// interpolated fixture with the run's values inserted between its octets.
// Standards: none (suite language, docs/language.md "Content").

import { readFile } from "node:fs/promises";
import type { ContentSource, Template } from "../../model/ast.ts";

export async function contentBytes(source: ContentSource, resolve: (template: Template) => string): Promise<Buffer> {
  if (source.kind === "text") return Buffer.from(resolve(source.text), "utf8");
  const template = source.interpolated;
  if (template === undefined) return readFile(source.path);
  // Literal parts are the fixture's octets read as latin1; an inserted value is text, sent as UTF-8.
  return Buffer.concat(
    template.parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(resolve({ text: `\${${part.ref}}`, parts: [part] }), "utf8"))),
  );
}
