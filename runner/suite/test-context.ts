// What the reader of one test knows while it walks the steps in order: the
// variables bound so far (builtins, earlier captures, a repeat's counter), the
// declared connections, and the fixtures to check once the file is read. It
// compiles template strings and checks them and regexes where they are written.
// Standards: none (suite language, docs/language.md "Variables").

import path from "node:path";
import { isScalar, type Node } from "yaml";
import type { ConnectionSpec, Protocol, Template } from "../model/ast.ts";
import { didYouMean } from "./did-you-mean.ts";
import { mailboxPlacementProblems } from "./mailbox-placement.ts";
import { compileTemplate, TemplateSyntaxError } from "./template.ts";
import type { ErrorOptions, NodeReader, Slot } from "./node-reader.ts";
import { CAPTURE_NAME } from "./vocabulary.ts";
import { compilePattern } from "../protocols/common/text.ts";

/** A recipient whose delivery fails after acceptance, from the target's smtp / lmtp endpoint; a test using one is skipped without it. */
export const FAILING_RECIPIENT_VARIABLES = ["smtp.failing_recipient", "lmtp.failing_recipient"] as const;

const USER_FIELDS = ["user.login", "user.password", "user.address", "user2.login", "user2.password", "user2.address"] as const;

/**
 * Bound for every test by the runner (the user ones from the connection's
 * target user). Each user field also comes as `.astring` and `.quoted`, its
 * IMAP argument forms (runner/session/variables.ts), so a password with a
 * space or `"` is sent in valid syntax.
 */
export const BUILTIN_VARIABLES = [
  ...USER_FIELDS,
  ...USER_FIELDS.flatMap((name) => [`${name}.astring`, `${name}.quoted`]),
  "domain",
  "domain.upper",
  "host",
  "run.token",
  "test.id",
  "test.slug",
  "imap.prefix",
  "imap.delimiter",
  ...FAILING_RECIPIENT_VARIABLES,
];

/** Capture names may not shadow the roots of builtin names. */
const RESERVED_NAMES = new Set(BUILTIN_VARIABLES.map((name) => name.split(".")[0]!));

export const MAIN_CONNECTION = "main";

/** Records an error found at character `index` of a template's text. */
export type TemplateErrorReport = (index: number, message: string, options: ErrorOptions) => void;

export interface PendingFixture {
  path: string;
  node: Node | null;
}

export class TestContext {
  private readonly variables = new Set<string>(BUILTIN_VARIABLES);
  /** Highest count of target users a step refers to (1 = main user only). */
  usersNeeded = 0;
  /** The endpoints whose failing-recipient a step refers to. */
  readonly failingRecipientsNeeded = new Set<"smtp" | "lmtp">();

  constructor(
    readonly reader: NodeReader,
    readonly protocol: Protocol,
    readonly connections: ReadonlyMap<string, ConnectionSpec>,
    private readonly suiteDir: string,
    private readonly fixtures: PendingFixture[],
  ) {}

  /** The protocol spoken on a connection. */
  protocolOf(connection: string): Protocol {
    return this.connections.get(connection)?.protocol ?? this.protocol;
  }

  /** Counts the target user that ${user.*} and default credentials mean on `connection`. */
  needsUserOf(connection: string): void {
    this.usersNeeded = Math.max(this.usersNeeded, (this.connections.get(connection)?.user ?? 0) + 1);
  }

  isBound(name: string): boolean {
    return this.variables.has(name);
  }

  /** Binds a capture (or a repeat counter) for the steps that follow. */
  bind(name: string, at: Node | null, kind: string): boolean {
    if (!CAPTURE_NAME.test(name)) {
      this.reader.error(at, `'${name}' is not a valid ${kind} name: letters, digits and '_', not starting with a digit`);
      return false;
    }
    if (RESERVED_NAMES.has(name)) {
      this.reader.error(at, `${kind} name '${name}' is reserved for the builtin variables ${name}.*`);
      return false;
    }
    this.variables.add(name);
    return true;
  }

  unbind(name: string): void {
    this.variables.delete(name);
  }

  /**
   * Reads `read` with the variables it binds kept to it: a branch of a
   * `one-of` or `if` runs only sometimes, so what it captures is unknown to
   * the steps after it (they would meet an unbound name at run time).
   */
  scoped<T>(read: () => T): T {
    const before = new Set(this.variables);
    try {
      return read();
    } finally {
      for (const name of [...this.variables]) if (!before.has(name)) this.variables.delete(name);
    }
  }

  /** The `on:` of a step: a declared connection or the implicit main one. */
  connection(slot: Slot | undefined): string {
    if (slot === undefined) return MAIN_CONNECTION;
    const name = this.reader.word(slot);
    if (name === undefined) return MAIN_CONNECTION;
    if (name === MAIN_CONNECTION || this.connections.has(name)) return name;
    const declared = [MAIN_CONNECTION, ...this.connections.keys()];
    const suggestion = didYouMean(name, declared);
    this.reader.error(
      slot.node,
      `connection '${name}' is not declared under the test's 'connections'; this test has ${declared.join(", ")}`,
      suggestion === undefined ? {} : { suggestion },
    );
    return MAIN_CONNECTION;
  }

  /** A template string, compiled: every ${name} must be bound at this point of the test. */
  template(slot: Slot, connection: string): Template | undefined {
    const value = this.reader.string(slot);
    if (value === undefined) return undefined;
    return this.compile(slot.node, value, connection);
  }

  /** A template that is a JavaScript regular expression once its variables are inserted (a leading "(?i)": case-insensitive). */
  regex(slot: Slot, connection: string, options: { groups?: number } = {}): Template | undefined {
    const value = this.template(slot, connection);
    if (value === undefined) return undefined;
    // Inserted values are escaped at run time, so any word stands in for them here.
    const probe = value.parts.map((part) => (typeof part === "string" ? part : "x")).join("");
    let compiled: RegExp;
    try {
      compiled = compilePattern(probe);
    } catch (e) {
      this.reader.error(slot.node, `${slot.name} is not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`);
      return undefined;
    }
    if (options.groups !== undefined) {
      const groups = new RegExp(`${compiled.source}|`).exec("")!.length - 1;
      if (groups !== options.groups) {
        this.reader.error(slot.node, `${slot.name} must have exactly ${options.groups} capturing group (the captured value), has ${groups}; use (?:...) for other groups`);
        return undefined;
      }
    }
    return value;
  }

  /**
   * Compiles a template that was read from `node`, checking its syntax and that every reference is bound here.
   * `report` places an error found at an index of `value` (default: in the suite file, inside `node`'s scalar).
   */
  compile(node: Node | null, value: string, connection: string, report: TemplateErrorReport = this.reportInNode(node, value)): Template | undefined {
    let template: Template;
    try {
      template = compileTemplate(value);
    } catch (e) {
      if (!(e instanceof TemplateSyntaxError)) throw e;
      report(e.offset, e.message, { length: 2 });
      return undefined;
    }
    let ok = true;
    for (const part of template.parts) {
      if (typeof part === "string") continue;
      const root = part.ref.split(".")[0];
      if (root === "user" && this.variables.has(part.ref)) this.needsUserOf(connection);
      if (root === "user2" && this.variables.has(part.ref)) this.usersNeeded = Math.max(this.usersNeeded, 2);
      if ((FAILING_RECIPIENT_VARIABLES as readonly string[]).includes(part.ref)) this.failingRecipientsNeeded.add(root as "smtp" | "lmtp");
      if (this.variables.has(part.ref)) continue;
      ok = false;
      const suggestion = didYouMean(part.ref, this.variables);
      report(part.offset, `unknown variable '${part.ref}': not a builtin and not captured earlier in this test`, {
        length: part.ref.length + 3,
        ...(suggestion === undefined ? {} : { suggestion }),
      });
    }
    if (ok && this.protocolOf(connection) === "imap") {
      for (const problem of mailboxPlacementProblems(template)) {
        ok = false;
        report(problem.offset, problem.message, { length: problem.length });
      }
    }
    return ok ? template : undefined;
  }

  private reportInNode(node: Node | null, value: string): TemplateErrorReport {
    return (index, message, options) => this.reader.error(this.offsetInValue(node, value, index), message, options);
  }

  /**
   * The file offset of character `index` of a scalar's value: exact when the
   * value is written as-is (plain or quoted without escapes), else the
   * scalar's start — escapes and folding break the mapping.
   */
  offsetInValue(node: Node | null, value: string, index: number): number {
    const start = this.reader.offsetOf(node);
    const range = node?.range;
    if (!range || !isScalar(node)) return start;
    const written = this.reader.source.text.slice(range[0], range[1]);
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
    const inner = quoted ? written.slice(1, -1) : written;
    if (inner === value) return start + (quoted ? 1 : 0) + index;
    const close = value.indexOf("}", index);
    const found = written.indexOf(close < 0 ? "${" : value.slice(index, close + 1));
    return found >= 0 ? start + found : start;
  }

  /** A fixture path, relative to the suite file; its existence is checked after the file is read. */
  fixture(slot: Slot): string | undefined {
    const written = this.reader.word(slot);
    if (written === undefined) return undefined;
    const resolved = path.resolve(this.suiteDir, written);
    this.fixtures.push({ path: resolved, node: slot.node });
    return resolved;
  }
}
