// Template strings of the dialogue language: `${name}` references (dotted
// names like `user.login`) and `$${` for a literal `${`, compiled once by the
// loader into the parts runner/session/variables.ts walks at run time.
// Standards: none (suite language, docs/language.md "Variables").

import type { Template, TemplatePart } from "../model/ast.ts";

/** A `${` that does not open a valid reference. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    /** Index of the offending `${` in the template. */
    readonly offset: number,
  ) {
    super(message);
    this.name = "TemplateSyntaxError";
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Splits `text` into literal parts and references; throws TemplateSyntaxError. */
export function compileTemplate(text: string): Template {
  // Most strings (command lines, codes) have no reference: one part, no scan.
  if (!text.includes("${")) return { text, parts: text === "" ? [] : [text] };
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.startsWith("${", i)) {
      const close = text.indexOf("}", i + 2);
      if (close < 0) throw new TemplateSyntaxError("'${' is not closed by '}' (write '$${' for a literal '${')", i);
      const name = text.slice(i + 2, close);
      if (!NAME.test(name)) {
        throw new TemplateSyntaxError(`'\${${name}}' is not a variable name (letters, digits, '_', dotted like user.login)`, i);
      }
      if (literal !== "") parts.push(literal);
      literal = "";
      parts.push({ ref: name, offset: i });
      i = close + 1;
      continue;
    }
    literal += text[i];
    i++;
  }
  if (literal !== "") parts.push(literal);
  return { text, parts };
}

/** The distinct variable names a template refers to, in order of first use. */
export function templateVariables(template: Template): string[] {
  const names: string[] = [];
  for (const part of template.parts) {
    if (typeof part !== "string" && !names.includes(part.ref)) names.push(part.ref);
  }
  return names;
}
