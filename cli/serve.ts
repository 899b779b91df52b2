// `mailconform serve`: the reference server on its fixed default ports (or
// --port-base), until interrupted. The server module does the work.

export interface ServeFlags {
  config?: string;
  data?: string;
  portBase?: number;
  verbose?: boolean;
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const { runServeCommand } = await import("../reference-server/serve.ts");
  try {
    return await runServeCommand({ config: flags.config, data: flags.data, portBase: flags.portBase, verbose: flags.verbose });
  } catch (e) {
    const err = e as Error & { code?: string; errors?: unknown };
    // A bad config file is bad input (2, like a bad suite); a taken port or anything else is not.
    const badInput = Array.isArray(err.errors);
    process.stderr.write(`mailconform serve: ${err.message ?? String(e)}\n`);
    if (!badInput && err.code !== "EADDRINUSE" && err.code !== "EACCES") process.stderr.write(`${err.stack ?? ""}\n`);
    return badInput ? 2 : 1;
  }
}
