// The `mailconform` command line: argv → options → one call into run/, suite/,
// reference-server/ or allure → exit code. Nothing else happens here.
// Usage errors (unknown flag, bad value, missing argument) exit 2.
// Start-up: only the called command's modules load (its defaults and its
// action); the others are listed from their name, arguments and description.
// Standards: none (command line).

import { Command, CommanderError, Help, Option } from "commander";
import type { ExitCode } from "../runner/model/result.ts";
import type { RunFlags } from "./run.ts";
import type { ServeFlags } from "./serve.ts";
import type { GradeFlags } from "./grade.ts";
import type { MergeFlags } from "./merge.ts";
import type { MergeGradesFlags } from "./merge-grades.ts";
import type { RecordFlags } from "./record.ts";
import type { CoverageFlags } from "./coverage.ts";
import type { StressFlags } from "./stress.ts";
import { packageVersion } from "./package-root.ts";

const EXIT_USAGE: ExitCode = 2;

type SetResult = (code: number) => void;

/** A subcommand: what `mailconform --help` lists, and the rest of its definition, loaded only when it is called. */
interface Subcommand {
  description: string;
  arguments?: [spec: string, description: string][];
  /** Whether `define` adds options (the listing says `[options]` before they exist). */
  options: boolean;
  define(cmd: Command, setResult: SetResult): Promise<void>;
}

const PATHS: [string, string] = ["[paths...]", "suite files or directories (default: the bundled suites/)"];

async function selectionOptions(cmd: Command): Promise<Command> {
  const { collect, parseShardArg } = await import("./arguments.ts");
  return cmd
    .option("--grep <regex>", "run only tests whose id or title matches this regular expression")
    .option("--tag <tag>", "run only tests carrying this tag (repeatable: any of them)", collect, [])
    .option("--shard <i/n>", "run the i-th of n equal slices of the selection, over sorted ids", parseShardArg);
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  run: {
    description: "run suites against a server (with no target: the bundled reference server)",
    arguments: [PATHS],
    options: true,
    async define(cmd, setResult) {
      // None of these loads the runner: the run starts the bundled server's thread before it does (run.ts).
      const [{ collect, parsePercent, parsePositiveInt }, { targetOptions }, { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS, runCommand }, { BUNDLED_JOBS }] = await Promise.all([
        import("./arguments.ts"), import("./target-options.ts"), import("./run.ts"), import("./reference-target.ts"),
      ]);
      targetOptions(cmd)
        .option("--ca <file>", "trust the certificates in this PEM file (a private CA or the server's pinned certificate) instead of the system's")
        .option("--jobs <n>", `tests run at once (default: ${BUNDLED_JOBS} against the bundled server, else ${DEFAULT_JOBS}); with enough users each job gets users of its own`, parsePositiveInt)
        .option("--bail", "stop starting tests after the first failure")
        .option("--list", "print the selected test ids, one a line, and exit")
        .option("--timeout <ms>", "wait budget per step in milliseconds", parsePositiveInt, DEFAULT_TIMEOUT_MS)
        .option("--report-json <file>", "write the JSON report here")
        .option("--report-junit <file>", "write JUnit XML here")
        .option("--report-allure <dir>", "write Allure results into this directory")
        .option("--report-events <file>", "write the raw event stream as JSON lines")
        .option("--report-html <file>", "write a self-contained HTML report (filters, failures, transcripts; opens from file://)")
        .option("--report-pcap <dir>", "write each test's dialogue as a pcapng capture (one per test) that Wireshark and tshark decode")
        .option("-v, --verbose", "print each test's dialogue (C:/S: lines, TLS and SASL notes, secrets redacted) as it runs")
        .addOption(new Option("--quiet", "print only failures and the summary").conflicts("verbose"))
        .option("--expect-deviations <file>", "expectations file of known deviations of the target (repeatable): listed failures are reported as expected deviations", collect, [])
        .option("--report-ctrf <file>", "write a CTRF 1.0.0 JSON report")
        .option("--stats", "print protocol statistics (latency per command, reply codes, octets, connect and TLS times)")
        .addOption(new Option("--fail-on <level>", "which failures fail the run").choices(["must", "should", "any"]))
        .addOption(new Option("--min-score <percent>", "fail when the weighted score (MUST 3, SHOULD 1, MAY 0) is below this").argParser(parsePercent))
        .option("--baseline <report.json>", "compare with a previous JSON report: show regressions and fixes")
        .option("--fail-on-regression", "with --baseline: only regressions fail the run")
        .addHelpText(
          "after",
          "\nWith no --report-* flag, reports/mailconform.json, reports/junit.xml and reports/mailconform.html are written.\n" +
            "Exit codes: 0 all passed, 1 conformance failures, 2 invalid suite or usage, 3 target unreachable, 4 nothing matched,\n" +
            "130/143 interrupted by SIGINT/SIGTERM (the reports are written and say interrupted).",
        );
      (await selectionOptions(cmd)).action(async (paths: string[], flags: RunFlags) => setResult(await runCommand(paths, flags)));
    },
  },

  list: {
    description: "print the selected test ids, one a line (same as run --list)",
    arguments: [PATHS],
    options: true,
    async define(cmd, setResult) {
      const { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS, runCommand } = await import("./run.ts");
      (await selectionOptions(cmd)).action(async (paths: string[], flags: Pick<RunFlags, "grep" | "tag" | "shard">) =>
        setResult(await runCommand(paths, { ...flags, user: [], list: true, jobs: DEFAULT_JOBS, timeout: DEFAULT_TIMEOUT_MS })),
      );
    },
  },

  validate: {
    description: "check suite files without running them; every error as file:line:col",
    arguments: [PATHS],
    options: false,
    async define(cmd, setResult) {
      const { validateCommand } = await import("./validate.ts");
      cmd.action(async (paths: string[]) => setResult(await validateCommand(paths)));
    },
  },

  coverage: {
    description: "print the coverage matrix: tests per RFC section and per command, positive and negative",
    arguments: [PATHS],
    options: true,
    async define(cmd, setResult) {
      const { coverageCommand } = await import("./coverage.ts");
      cmd
        .option("--out <file>", "write the matrix as Markdown to this file instead of printing it")
        .action(async (paths: string[], flags: CoverageFlags) => setResult(await coverageCommand(paths, flags)));
    },
  },

  grade: {
    description: "grade many targets (a class) under a profile: scoreboard and per-target reports",
    arguments: [PATHS],
    options: true,
    async define(cmd, setResult) {
      const [{ DEFAULT_TIMEOUT_MS }, { DEFAULT_TARGET_BUDGET_MS, DEFAULT_TARGET_CONCURRENCY }, { parsePositiveInt, parseShardArg }, { DEFAULT_GRADE_OUT, DEFAULT_PROFILE, gradeCommand }] =
        await Promise.all([import("../runner/run/run.ts"), import("../runner/grade/grade.ts"), import("./arguments.ts"), import("./grade.ts")]);
      cmd
        .option("--targets <file>", "targets file (YAML) with a 'targets:' list")
        .option("--profile <name|file>", "smtp-basics, pop3-basics, imap-basics, imap4rev2, submission, full, or a profile file", DEFAULT_PROFILE)
        .option("--out <dir>", "where the scoreboard and reports go", DEFAULT_GRADE_OUT)
        .option("--concurrency <n>", "targets graded at once", parsePositiveInt, DEFAULT_TARGET_CONCURRENCY)
        .option("--jobs <n>", "tests run at once on each target whose entry has no 'jobs:' (default 1); each job needs users of its own", parsePositiveInt)
        .option("--timeout <ms>", "wait budget per step in milliseconds", parsePositiveInt, DEFAULT_TIMEOUT_MS)
        .option("--target-timeout <ms>", "budget for one target's whole run; tests not started by then count as failed", parsePositiveInt, DEFAULT_TARGET_BUDGET_MS)
        .option("--fail-on-unreachable", "exit 3 when a target could not be reached, wholly or in part")
        .option("--shard <i/n>", "grade the i-th of n equal blocks of the targets file (one CI machine each; join with merge-grades)", parseShardArg)
        .addHelpText(
          "after",
          "\nExit codes: 0 every target graded (whatever its score), 1 a target incomplete (time budget, runner error), 2 invalid targets file,\n" +
            "profile or usage, 3 with --fail-on-unreachable a target unreachable, 4 the profile selects no test, 130/143 interrupted (SIGINT/SIGTERM).",
        )
        .action(async (paths: string[], flags: GradeFlags) => setResult(await gradeCommand(paths, flags)));
    },
  },

  merge: {
    description: "join shard JSON reports into one JSON, JUnit and Allure set",
    arguments: [["<reports...>", "JSON reports written by run --report-json (one per shard)"]],
    options: true,
    async define(cmd, setResult) {
      const { mergeCommand } = await import("./merge.ts");
      cmd
        .option("--report-json <file>", "merged JSON report", "reports/mailconform.json")
        .option("--report-junit <file>", "merged JUnit XML", "reports/junit.xml")
        .option("--report-allure <dir>", "merged Allure results", "reports/allure-results")
        .option("--report-ctrf <file>", "also a merged CTRF report")
        .option("--allow-missing", "merge a partial shard set (missing or interrupted shards) and exit by its results; the reports still say incomplete")
        .addHelpText("after", "\nExit codes: as run's (0, 1, 3, 4), 2 unreadable or overlapping reports, 5 shards missing or interrupted (without --allow-missing).")
        .action(async (reports: string[], flags: MergeFlags) => setResult(await mergeCommand(reports, flags)));
    },
  },

  "merge-grades": {
    description: "join the scoreboard folders of a class graded in shards (grade --shard i/n) into one scoreboard",
    arguments: [["<dirs...>", "folders written by grade --out (one per shard)"]],
    options: true,
    async define(cmd, setResult) {
      const { mergeGradesCommand } = await import("./merge-grades.ts");
      cmd
        .option("--out <dir>", "where the joined scoreboard goes (the shards' targets/ folders are copied there)", "reports/grade")
        .option("--allow-missing", "join a partial shard set; the scoreboard says which shards are missing")
        .addHelpText("after", "\nExit codes: 0 joined, 2 unreadable scoreboards or shards that do not fit together, 5 shards missing (without --allow-missing).")
        .action(async (dirs: string[], flags: MergeGradesFlags) => setResult(await mergeGradesCommand(dirs, flags)));
    },
  },

  record: {
    description: "proxy a live session between a client and a server and write it as a suite skeleton",
    options: true,
    async define(cmd, setResult) {
      const [{ collect, parsePort, parsePositiveInt }, { recordCommand }] = await Promise.all([import("./arguments.ts"), import("./record.ts")]);
      cmd
        .addOption(new Option("--listen <port>", "local port the client connects to").argParser(parsePort).makeOptionMandatory())
        .requiredOption("--to <host:port>", "the server to forward to")
        .addOption(new Option("--protocol <protocol>", "smtp, pop3 or imap").choices(["smtp", "pop3", "imap"]).makeOptionMandatory())
        .requiredOption("--out <file.yaml>", "the suite file to write (fixtures go next to it)")
        .option("--sessions <n>", "stop after this many client sessions", parsePositiveInt, 1)
        .option("--user <login:password>", "credentials the client uses, replaced by ${user.login} / ${user.password}", collect, [])
        .action(async (flags: RecordFlags) => setResult(await recordCommand(flags)));
    },
  },

  stress: {
    description: "load a server with N concurrent clients running an SMTP/POP3/IMAP mix; every reply checked (with no target: the bundled reference server)",
    options: true,
    async define(cmd, setResult) {
      const [{ parsePositiveInt }, { targetOptions }, { STRESS_DEFAULTS, stressCommand }] = await Promise.all([
        import("./arguments.ts"), import("./target-flags.ts"), import("./stress.ts"),
      ]);
      targetOptions(cmd)
        .option("--protocols <list>", "protocols to load: smtp,pop3,imap", STRESS_DEFAULTS.protocols)
        .option("--clients <n>", "concurrent clients", parsePositiveInt, STRESS_DEFAULTS.clients)
        .option("--duration <s>", `seconds to keep starting sessions (default ${STRESS_DEFAULTS.durationS})`, parsePositiveInt)
        .option("--operations <n>", "sessions to run in all, instead of a duration", parsePositiveInt)
        .option("--mix <weights>", "session weights per protocol, e.g. smtp=3,pop3=1,imap=2 (default: equal)")
        .option("--seed <n>", "seed of the clients' random choices", parsePositiveInt, STRESS_DEFAULTS.seed)
        .option("--timeout <ms>", "wait budget per command in milliseconds", parsePositiveInt, STRESS_DEFAULTS.timeoutMs)
        .option("--messages <n>", "messages every INBOX must hold before the run (added when fewer)", parsePositiveInt, STRESS_DEFAULTS.messages)
        .option("--message-size <octets>", "size of messages sent, appended and prepared", parsePositiveInt, STRESS_DEFAULTS.messageSize)
        .option("--imap-commands <n>", "long IMAP sessions: after LOGIN and SELECT, N commands drawn from LIST, STATUS, SELECT, FETCH, STORE, APPEND/EXPUNGE (default: the short session)", parsePositiveInt)
        .option("--json <file>", "also write the result as JSON")
        .addHelpText("after", "\nExit codes: 0 no errors, 1 wrong replies or timeouts counted, 2 usage or bad target, 3 target unreachable or mailboxes not preparable.")
        .action(async (flags: StressFlags) => setResult(await stressCommand(flags)));
    },
  },

  serve: {
    description: "start the reference server (SMTP, POP3, IMAP) and print its ports",
    options: true,
    async define(cmd, setResult) {
      const [{ parsePort }, { serveCommand }] = await Promise.all([import("./arguments.ts"), import("./serve.ts")]);
      cmd
        .option("--config <file>", "server configuration (users, domain, ports)")
        .option("--data <dir>", "Maildir data directory")
        .addOption(new Option("--port-base <n>", "shift every default port by this base").argParser(parsePort))
        .option("--verbose", "log every session")
        .action(async (flags: ServeFlags) => setResult(await serveCommand(flags)));
    },
  },

  report: {
    description: "turn saved results into other formats",
    options: false,
    async define(cmd, setResult) {
      const { reportHtmlCommand, DEFAULT_ALLURE_RESULTS, DEFAULT_HTML_OUT } = await import("./report-html.ts");
      cmd
        .command("html")
        .description("generate the Allure HTML report (needs Java 17)")
        .option("--allure <dir>", "Allure results directory", DEFAULT_ALLURE_RESULTS)
        .option("--out <dir>", "output directory", DEFAULT_HTML_OUT)
        .action(async (flags: { allure?: string; out?: string }) => setResult(await reportHtmlCommand(flags)));
    },
  },
};

/**
 * The subcommand argv calls, found before commander parses it. The top level
 * has only flags without values (-h, -V), so it is the first word that is not
 * a flag; `help run` asks for run's help.
 */
function calledCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/** The listing's term for a command whose options are not defined yet, as commander would write it once they are. */
class ListingHelp extends Help {
  override subcommandTerm(cmd: Command): string {
    const term = super.subcommandTerm(cmd);
    const undefinedOptions = SUBCOMMANDS[cmd.name()]?.options === true && cmd.options.length === 0;
    return undefinedOptions ? term.replace(cmd.name(), `${cmd.name()} [options]`) : term;
  }
}

async function buildProgram(called: string | undefined, setResult: SetResult): Promise<Command> {
  const program = new Command("mailconform")
    .description("Conformance tests for SMTP, POP3 and IMAP servers")
    .version(packageVersion(), "-V, --version")
    .option("--no-cache", "parse every suite file, neither reading nor writing the parsed-suite cache (same as MAILCONFORM_NO_CACHE=1)")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(`mailconform: ${text.replace(/^error: /, "")}`) });
  program.createHelp = () => Object.assign(new ListingHelp(), program.configureHelp());
  // Before or after the command's name alike; the loader reads the switch from the environment, as it does when a user sets it.
  program.hook("preAction", () => {
    if (program.opts().cache === false) process.env.MAILCONFORM_NO_CACHE = "1";
  });

  for (const [name, sub] of Object.entries(SUBCOMMANDS)) {
    const cmd = program.command(name).description(sub.description);
    for (const [spec, description] of sub.arguments ?? []) cmd.argument(spec, description);
    if (name === called) await sub.define(cmd, setResult);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `mailconform list | head`: a closed pipe ends our output, not the run (reports still get written).
  const ignoreClosedPipe = (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
  };
  process.stdout.on("error", ignoreClosedPipe);
  let result: number | undefined;
  const program = await buildProgram(calledCommand(argv), (code) => {
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
    // Loaded already if it was thrown: only the called command's modules throw it.
    const { UsageError } = await import("./arguments.ts");
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
