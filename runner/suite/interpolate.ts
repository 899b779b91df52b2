// Template strings of the dialogue language: `${name}` references (dotted
// names like `user.login`) resolved against the run's variables, `$${` for a
// literal `${`. The loader checks references at load time; the executor calls
// interpolate() with the bound values at run time.
// Standards: none (suite language, docs/language.md "Variables").

export type TemplatePart =
  | { kind: "text"; text: string }
  /** `offset` is where `${` starts in the template. */
  | { kind: "var"; name: string; offset: number };

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

/** A reference to a variable that is not bound. */
export class UnknownVariableError extends Error {
  constructor(readonly variable: string) {
    super(`unknown variable '${variable}'`);
    this.name = "UnknownVariableError";
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Splits a template into literal text and references; throws TemplateSyntaxError. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i)) {
      text += "${";
      i += 3;
      continue;
    }
    if (template.startsWith("${", i)) {
      const close = template.indexOf("}", i + 2);
      if (close < 0) throw new TemplateSyntaxError("'${' is not closed by '}' (write '$${' for a literal '${')", i);
      const name = template.slice(i + 2, close);
      if (!NAME.test(name)) {
        throw new TemplateSyntaxError(`'\${${name}}' is not a variable name (letters, digits, '_', dotted like user.login)`, i);
      }
      if (text !== "") parts.push({ kind: "text", text });
      text = "";
      parts.push({ kind: "var", name, offset: i });
      i = close + 1;
      continue;
    }
    text += template[i];
    i++;
  }
  if (text !== "") parts.push({ kind: "text", text });
  return parts;
}

/** The distinct variable names a template refers to, in order of first use. */
export function templateVariables(template: string): string[] {
  const names: string[] = [];
  for (const part of parseTemplate(template)) {
    if (part.kind === "var" && !names.includes(part.name)) names.push(part.name);
  }
  return names;
}

/**
 * Resolves every reference. `encode` transforms each inserted value — regex
 * fields pass escapeRegExp so a captured value matches literally.
 */
export function interpolate(
  template: string,
  vars: ReadonlyMap<string, string>,
  encode: (value: string) => string = (value) => value,
): string {
  let out = "";
  for (const part of parseTemplate(template)) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = vars.get(part.name);
    if (value === undefined) throw new UnknownVariableError(part.name);
    out += encode(value);
  }
  return out;
}

/** Escapes regex syntax so the value matches itself literally. */
export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
