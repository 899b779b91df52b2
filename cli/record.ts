// `mailconform record --listen PORT --to HOST:PORT --protocol P --out FILE.yaml`:
// flags → record/proxy.ts; prints where to point the client, waits for the
// sessions (or Ctrl-C), then names the suite file it wrote.

import type { Protocol } from "../runner/model/ast.ts";
import type { ExitCode } from "../runner/model/result.ts";
import { isPort } from "../runner/target/flags.ts";
import { UsageError } from "./arguments.ts";

export interface RecordFlags {
  listen: number;
  to: string;
  protocol: Protocol;
  out: string;
  sessions: number;
  user: string[];
}

export async function recordCommand(flags: RecordFlags): Promise<ExitCode> {
  const m = /^(.+):(\d+)$/.exec(flags.to);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !isPort(port)) throw new UsageError(`--to ${flags.to}: expected HOST:PORT, e.g. 127.0.0.1:2525`);
  const users = flags.user.map((u) => {
    const i = u.indexOf(":");
    if (i <= 0) throw new UsageError(`--user ${u}: expected LOGIN:PASSWORD`);
    return { login: u.slice(0, i), password: u.slice(i + 1) };
  });
  const { startRecording } = await import("../runner/record/proxy.ts");
  const recording = await startRecording({
    listenPort: flags.listen,
    to: { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port },
    protocol: flags.protocol,
    out: flags.out,
    sessions: flags.sessions,
    users,
    log: (line) => process.stderr.write(`record: ${line}\n`),
  });
  process.stdout.write(`Recording ${flags.protocol}: point the client at 127.0.0.1:${recording.port}; forwarding to ${flags.to}. Ctrl-C writes what was recorded so far.\n`);
  const onSigint = () => void recording.close();
  process.once("SIGINT", onSigint);
  try {
    const file = await recording.done;
    process.stdout.write(`Wrote ${file}; check it with: mailconform validate ${file}\n`);
    return 0;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
