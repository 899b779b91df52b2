// COMPRESS DEFLATE: the tagged OK goes out uncompressed, then both directions
// are raw DEFLATE (wire/deflate-stream.ts) until the connection ends. Asked
// again it is refused with NO [COMPRESSIONACTIVE]; an algorithm other than
// DEFLATE is an unknown argument (BAD).
// Standards: RFC 4978 §3 (the command, results, order with TLS), §5 (syntax: compress = "COMPRESS" SP algorithm).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { Refusal } from "../responses.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

/** algorithm = "DEFLATE" (case-insensitive, RFC 4978 §5); any other atom parses but is not known here. */
const ALGORITHM = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const compress: CommandRow<ImapSession, ImapState> = {
  verb: "COMPRESS",
  // RFC 4978 §5: command-auth =/ compress (authenticated and selected states).
  states: AUTHENTICATED,
  async handle(s, command) {
    const algorithm = command.args;
    if (!ALGORITHM.test(algorithm)) throw new ClientError("syntax", "COMPRESS takes one algorithm name");
    if (s.conn.compressed) throw new Refusal("COMPRESSIONACTIVE", "DEFLATE compression is already active (COMPRESS)");
    if (algorithm.toUpperCase() !== "DEFLATE") throw new ClientError("unsupported-parameter", `unknown compression algorithm ${algorithm.slice(0, 40)}`);
    await complete(s, command, "DEFLATE active");
    s.conn.startCompression();
  },
};
