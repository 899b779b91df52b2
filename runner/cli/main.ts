// The `mailconform` command line: argv → options → one call into run/, suite/,
// reference-server/ or allure → exit code. Nothing else happens here.
// Usage errors (unknown flag, bad value, missing argument) exit 2.

import { Command, CommanderError, Option } from "commander";
import type { ExitCode } from "../model/result.ts";
import { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS } from "../run/run.ts";
import { collect, collectUser, parsePort, parsePositiveInt, parseShardArg } from "./arguments.ts";
import { packageVersion } from "./package-root.ts";
import { reportHtmlCommand, DEFAULT_ALLURE_RESULTS, DEFAULT_HTML_OUT } from "./report-html.ts";
import { runCommand, UsageError, type RunFlags } from "./run.ts";
import { serveCommand, type ServeFlags } from "./serve.ts";
import { validateCommand } from "./validate.ts";

const EXIT_USAGE: ExitCode = 2;

function selectionOptions(cmd: Command): Command {
  return cmd
    .option("--grep <regex>", "run only tests whose id or title matches this regular expression")
    .option("--tag <tag>", "run only tests carrying this tag (repeatable: any of them)", collect, [])
    .option("--shard <i/n>", "run the i-th of n equal slices of the selection, over sorted ids", parseShardArg);
}

function buildProgram(setResult: (code: number) => void): Command {
  const program = new Command("mailconform")
    .description("Conformance tests for SMTP, POP3 and IMAP servers")
    .version(packageVersion(), "-V, --version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(`mailconform: ${text.replace(/^error: /, "")}`) });

  const run = program
    .command("run")
    .description("run suites against a server (with no target: the bundled reference server)")
    .argument("[paths...]", "suite files or directories (default: the bundled suites/)")
    .option("--target <file>", "target file (YAML): host, ports, TLS, users, domain")
    .option("--host <host>", "server host for the port flags")
    .addOption(new Option("--smtp <port>", "SMTP port (plain, STARTTLS on request)").argParser(parsePort))
    .addOption(new Option("--pop3 <port>", "POP3 port").argParser(parsePort))
    .addOption(new Option("--imap <port>", "IMAP port").argParser(parsePort))
    .addOption(new Option("--smtps <port>", "SMTP port with implicit TLS").argParser(parsePort))
    .addOption(new Option("--pop3s <port>", "POP3 port with implicit TLS").argParser(parsePort))
    .addOption(new Option("--imaps <port>", "IMAP port with implicit TLS").argParser(parsePort))
    .option("--user <login:password[:address]>", "a mailbox user (repeatable; the first is the main user)", collectUser, [])
    .option("--domain <domain>", "the server's mail domain")
    .option("--name <name>", "the target's name in reports")
    .option("--insecure", "do not verify TLS certificates")
    .option("--jobs <n>", "tests run at once; tests share the users' mailboxes, so concurrency is opt-in", parsePositiveInt, DEFAULT_JOBS)
    .option("--bail", "stop starting tests after the first failure")
    .option("--list", "print the selected test ids, one a line, and exit")
    .option("--timeout <ms>", "wait budget per step in milliseconds", parsePositiveInt, DEFAULT_TIMEOUT_MS)
    .option("--report-json <file>", "write the JSON report here")
    .option("--report-junit <file>", "write JUnit XML here")
    .option("--report-allure <dir>", "write Allure results into this directory")
    .option("--report-events <file>", "write the raw event stream as JSON lines")
    .addHelpText(
      "after",
      "\nWith no --report-* flag, reports/mailconform.json and reports/junit.xml are written.\n" +
        "Exit codes: 0 all passed, 1 conformance failures, 2 invalid suite or usage, 3 target unreachable, 4 nothing matched.",
    );
  selectionOptions(run).action(async (paths: string[], flags: RunFlags) => setResult(await runCommand(paths, flags)));

  selectionOptions(
    program
      .command("list")
      .description("print the selected test ids, one a line (same as run --list)")
      .argument("[paths...]", "suite files or directories (default: the bundled suites/)"),
  ).action(async (paths: string[], flags: Pick<RunFlags, "grep" | "tag" | "shard">) =>
    setResult(await runCommand(paths, { ...flags, user: [], list: true, jobs: DEFAULT_JOBS, timeout: DEFAULT_TIMEOUT_MS })),
  );

  program
    .command("validate")
    .description("check suite files without running them; every error as file:line:col")
    .argument("[paths...]", "suite files or directories (default: the bundled suites/)")
    .action(async (paths: string[]) => setResult(await validateCommand(paths)));

  program
    .command("serve")
    .description("start the reference server (SMTP, POP3, IMAP) and print its ports")
    .option("--config <file>", "server configuration (users, domain, ports)")
    .option("--data <dir>", "Maildir data directory")
    .addOption(new Option("--port-base <n>", "shift every default port by this base").argParser(parsePort))
    .option("--verbose", "log every session")
    .action(async (flags: ServeFlags) => setResult(await serveCommand(flags)));

  const report = program.command("report").description("turn saved results into other formats");
  report
    .command("html")
    .description("generate the Allure HTML report (needs Java 17)")
    .option("--allure <dir>", "Allure results directory", DEFAULT_ALLURE_RESULTS)
    .option("--out <dir>", "output directory", DEFAULT_HTML_OUT)
    .action(async (flags: { allure?: string; out?: string }) => setResult(await reportHtmlCommand(flags)));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `mailconform list | head`: a closed pipe ends our output, not the run (reports still get written).
  const ignoreClosedPipe = (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
  };
  process.stdout.on("error", ignoreClosedPipe);
  let result: number | undefined;
  const program = buildProgram((code) => {
    result = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors; help shown for a missing command ("commander.help") is.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.help") return e.exitCode === 0 ? 0 : EXIT_USAGE;
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`mailconform: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // Our bug: shown whole, never swallowed, and never an exit 0.
    process.stderr.write(`mailconform: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
  if (result === undefined) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  return result;
}
