import { SCENARIOS } from "/work/main/test/hostile/scenarios.ts";
import { runScenario } from "/work/main/test/hostile/run-scenario.ts";
describe("rss", function () {
  this.timeout(60000);
  for (const name of (process.env.ONLY ?? "").split(",")) it(name, async () => {
    const s = SCENARIOS.find((x) => x.name === name)!;
    global.gc?.();
    const b = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const { ran, server } = await runScenario(s);
    clearInterval(timer);
    const a = process.memoryUsage();
    global.gc?.();
    const g = process.memoryUsage();
    console.log(name, ran.result.status, ran.result.failure?.message, "rss MB before", (b.rss/1e6)|0, "peak", (peak/1e6)|0, "after", (a.rss/1e6)|0, "ext", (a.external/1e6)|0, "ab", (a.arrayBuffers/1e6)|0, "after gc", (g.rss/1e6)|0, "sent MB", ((server.sent[0]??0)/1e6)|0, ran.elapsedMs);
    await server.close();
  });
});
