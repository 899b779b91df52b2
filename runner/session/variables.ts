// The variables a test's templates see: builtins from the target (user.*,
// user2.*, domain, host, run.token, test.id, test.slug) and the captures steps bind.
// Resolution goes through the suite loader's interpolate(); regex fields
// insert values escaped. A connection declared with `user: n` sees users[n] as user.*.
// Standards: none (suite language).

import type { Span, TestCase } from "../model/ast.ts";
import type { Target, TargetUser } from "../model/target.ts";
import { escapeRegExp, interpolate, UnknownVariableError } from "../suite/interpolate.ts";

function userVariables(prefix: string, user: TargetUser | undefined): Record<string, string> {
  if (!user) return {};
  return { [`${prefix}.login`]: user.login, [`${prefix}.password`]: user.password, [`${prefix}.address`]: user.address };
}

/** The builtins of one test: user.* (main user), user2.*, domain, host, run.token, test.id, test.slug. */
export function buildVariables(target: Target, test: TestCase, runToken: string): Record<string, string> {
  return {
    ...userVariables("user", target.users[0]),
    ...userVariables("user2", target.users[1]),
    domain: target.domain,
    host: target.host,
    "run.token": runToken,
    "test.id": test.id,
    "test.slug": testSlug(test.id),
  };
}

/**
 * The test id as one safe name component: every character but a-z, 0-9 and
 * "-" becomes "-". Suites build per-test mailbox names from it, and a "." in
 * an id would be a hierarchy delimiter on Maildir++ servers (Dovecot).
 */
export function testSlug(id: string): string {
  return id.replace(/[^a-z0-9-]/g, "-");
}

export class Variables {
  private readonly captures: Record<string, string> = {};

  constructor(
    private readonly builtins: Record<string, string>,
    private readonly users: TargetUser[],
  ) {}

  /** A capture's value, if bound. */
  get(name: string): string | undefined {
    return this.captures[name] ?? this.builtins[name];
  }

  bind(name: string, value: string): void {
    this.captures[name] = value;
  }

  /** Every variable (captures over builtins), with user.* pointed at users[userIndex]. */
  table(userIndex = 0): Map<string, string> {
    const overlay = userIndex === 0 ? {} : userVariables("user", this.users[userIndex]);
    return new Map(Object.entries({ ...this.builtins, ...overlay, ...this.captures }));
  }

  /**
   * Resolve ${...} in a template. An unknown name here is a suite bug the
   * loader could not see (a capture used before any step binds it): it is
   * raised as a plain Error naming the position, never blamed on the server.
   */
  resolve(template: string, span: Span, userIndex = 0, regex = false): string {
    if (!template.includes("${")) return template;
    try {
      return regex ? interpolate(template, this.table(userIndex), escapeRegExp) : interpolate(template, this.table(userIndex));
    } catch (error) {
      if (error instanceof UnknownVariableError) {
        throw new Error(`${span.file}:${span.line}:${span.col}: ${error.message} (no capture or builtin of that name is bound here)`);
      }
      throw error;
    }
  }
}
