// The highest TCP port, in a module that imports nothing: the command line's
// option parsers check ports before anything of the runner loads (cli/arguments.ts).
// Standards: RFC 793 §3.1, RFC 6335 §6.

/** A TCP port a server can listen on: 16 bits, and port 0 is no port (RFC 793 §3.1, RFC 6335 §6). */
export const MAX_PORT = 65535;
