// Waits, bounded, until each given port answers with its protocol's greeting.
// Used by start.sh after launching Postfix and Dovecot; plain node:net/node:tls,
// no dependencies, so it works before `npm ci`.
// Usage: node probe-greeting.mjs DEADLINE_SECONDS HOST name:port:plain|tls:regex ...
// Exit 0 when all answered, 1 with the ports still silent at the deadline.
import net from "node:net";
import tls from "node:tls";

const [deadlineArg, host, ...specs] = process.argv.slice(2);
const deadline = Date.now() + Number(deadlineArg) * 1000;

/** One connection attempt: resolves with the first line, or null on any failure. */
function greetingOnce(port, useTls, timeoutMs) {
  return new Promise((resolve) => {
    const sock = useTls
      ? tls.connect({ host, port, rejectUnauthorized: false })
      : net.connect({ host, port });
    let buf = "";
    const done = (value) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.setEncoding("utf8");
    sock.on("data", (d) => {
      buf += d;
      const eol = buf.indexOf("\n");
      if (eol >= 0) done(buf.slice(0, eol).replace(/\r$/, ""));
    });
    sock.on("error", () => done(null));
    sock.on("close", () => done(null));
  });
}

async function probe(spec) {
  const [name, port, mode, ...rest] = spec.split(":");
  const pattern = new RegExp(rest.join(":"));
  let last = "no answer";
  while (Date.now() < deadline) {
    const line = await greetingOnce(Number(port), mode === "tls", Math.min(3000, Math.max(100, deadline - Date.now())));
    if (line !== null && pattern.test(line)) return { name, port, ok: true, line };
    if (line !== null) last = `unexpected greeting ${JSON.stringify(line)}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, port, ok: false, line: last };
}

const results = await Promise.all(specs.map(probe));
for (const r of results) {
  console.error(`interop: ${r.ok ? "up  " : "DOWN"} ${r.name.padEnd(10)} ${host}:${r.port}  ${r.line}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
