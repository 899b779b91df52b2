// Stand-in for runner/suite/interpolate.ts until the loader lands: resolves
// ${name} in a template from a flat variable table. variables.ts is its only
// importer, so switching to the loader's interpolate() is one import line.
// Standards: none (suite language).

export class UnknownVariableError extends Error {
  constructor(readonly variable: string) {
    super(`unknown variable \${${variable}}`);
  }
}

/** "${name}" is replaced; "$${" writes a literal "${"; a lone "$" (IMAP capture syntax) is left alone. */
export function interpolate(template: string, vars: Record<string, string>): string {
  return template.replace(/\$(\$)?\{([^}]*)\}/g, (whole, escaped: string | undefined, name: string) => {
    if (escaped) return whole.slice(1);
    const key = name.trim();
    const value = vars[key];
    if (value === undefined) throw new UnknownVariableError(key);
    return value;
  });
}
