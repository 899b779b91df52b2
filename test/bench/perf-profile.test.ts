// bench/lib/perf-profile.ts: perf script's text into samples, and samples
// into the categories the SMTP bench explains its CPU per message with.
// Fixtures are trimmed stacks from a real profile of the reference server.
import { expect } from "chai";
import { CATEGORIES, categorize, cpuShares, parsePerfScript, topCategories } from "../../bench/lib/perf-profile.ts";

const SCRIPT = [
  // A reschedule on the way out of fsync(2): the fsync's.
  " 4242 ",
  "\tffffffff82250979 finish_task_switch.isra.0+0x9b ([kernel.kallsyms])",
  "\tffffffff8224a1e0 __schedule ([kernel.kallsyms])",
  "\tffffffff81f0a2b1 ext4_sync_file+0x1b1 ([kernel.kallsyms])",
  "\tffffffff8223c951 do_syscall_64 ([kernel.kallsyms])",
  "\t          101b07 fsync (/usr/lib/x86_64-linux-gnu/libc.so.6)",
  "",
  // ext4 skipping recently deleted inodes while creating a file.
  " 4243 ",
  "\tffffffff81612383 find_get_block_common ([kernel.kallsyms])",
  "\tffffffff81612384 recently_deleted ([kernel.kallsyms])",
  "\tffffffff81612385 __ext4_new_inode ([kernel.kallsyms])",
  "\tffffffff81612386 path_openat ([kernel.kallsyms])",
  "\tffffffff81612387 do_sys_openat2 ([kernel.kallsyms])",
  "",
  // malloc under a scavenge: the GC's, though JavaScript is further out.
  " 4242 ",
  "\t          2f1a00 malloc (/usr/lib/x86_64-linux-gnu/libc.so.6)",
  "\t          c4b660 v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot> (/usr/bin/node)",
  "\t    7fce870c8354 JS:*serve file:///work/main/dist/reference-server/core/session.js:94:16 (/tmp/perf-4242.map)",
  "",
  // A symbol with spaces and parentheses inside: the dso is the last group.
  " 4242 ",
  "\t          7f1954 node::ConnectionWrap<node::TCPWrap, uv_tcp_s>::OnConnection(uv_stream_s*, int) (/usr/bin/node)",
  "\t          14b91da uv__server_io (/usr/bin/node)",
  "",
  " 4242 ",
  "\t    7fce870c8354 JS:*flush file:///work/main/dist/reference-server/core/connection.js:184:10 (/tmp/perf-4242.map)",
  "\t          7f1954 node::InternalMakeCallback (/usr/bin/node)",
  "",
].join("\n");

describe("bench perf profile", () => {
  const samples = parsePerfScript(SCRIPT);

  it("parses samples with their thread, frames innermost first, offsets dropped, kernel frames flagged", () => {
    expect(samples.map((s) => s.tid)).to.deep.equal([4242, 4243, 4242, 4242, 4242]);
    expect(samples[0]!.frames[0]).to.deep.equal({ symbol: "finish_task_switch.isra.0", kernel: true });
    expect(samples[0]!.frames.at(-1)).to.deep.equal({ symbol: "fsync", kernel: false });
    expect(samples[3]!.frames[0]!.symbol).to.equal("node::ConnectionWrap<node::TCPWrap, uv_tcp_s>::OnConnection(uv_stream_s*, int)");
  });

  it("puts a kernel sample in the system call it is in, a user sample in its innermost named frame", () => {
    expect(samples.map(categorize)).to.deep.equal([
      "kernel: file write + fsync",
      "kernel: file create/open",
      "V8 garbage collection",
      "node, libuv, libc (native)",
      "JavaScript (JIT code, builtins, interpreter)",
    ]);
  });

  it("a kernel sample on no known path falls to the kernel's catch-all, never to a user category", () => {
    expect(categorize({ tid: 1, frames: [{ symbol: "asm_sysvec_apic_timer_interrupt", kernel: true }] })).to.equal("kernel: scheduling, interrupts, other");
  });

  it("gives shares of all samples, by category in table order, and the main thread's and the kernel's", () => {
    const shares = cpuShares(samples, 4242);
    expect(shares.samples).to.equal(5);
    expect(shares.mainThread).to.equal(0.8);
    expect(shares.kernel).to.equal(0.4);
    const order = CATEGORIES.map((c) => c.name);
    const names = shares.byCategory.map((c) => c.name);
    expect(names).to.deep.equal([...names].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(shares.byCategory.reduce((sum, c) => sum + c.share, 0)).to.be.closeTo(1, 1e-9);
  });

  it("summarises the categories of at least a share, largest first by short name, the rest as one \"other\"", () => {
    const shares = cpuShares(samples, 4242);
    // Every category holds one sample of five, 20 %.
    expect(topCategories(shares, 0.25)).to.deep.equal([{ label: "other < 25 %", share: 1 }]);
    const top = topCategories(shares, 0.2);
    expect(top.map((c) => c.label)).to.deep.equal(["kernel write + fsync", "kernel create", "V8 GC", "JavaScript", "native (node, libuv, libc)"]);
    const grouped = topCategories({ ...shares, byCategory: [{ name: "JavaScript (JIT code, builtins, interpreter)", share: 0.9 }, { name: "V8 compiler", share: 0.04 }, { name: "V8 garbage collection", share: 0.06 }] }, 0.05);
    expect(grouped.map((c) => c.label)).to.deep.equal(["JavaScript", "V8 GC", "other < 5 %"]);
    expect(grouped[2]!.share).to.be.closeTo(0.04, 1e-9);
  });
});
