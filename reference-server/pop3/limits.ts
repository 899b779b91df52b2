// POP3's size limits and their reasons.
// Standards: RFC 2449 §4, RFC 5034 §4.

import { MAX_SASL_LINE_OCTETS } from "../auth/command.ts";

/** Longest line any POP3 read asks for: SASL responses. */
export const POP3_MAX_BUFFERED_LINE_OCTETS = MAX_SASL_LINE_OCTETS;
// RFC 2449 §4: clients keep commands within 255 octets including CRLF; we
// accept up to 512 (the SMTP figure) so that a long user name or initial
// response still gets a real answer, and refuse longer lines with -ERR.
export const MAX_COMMAND_LINE_OCTETS = 510;
// RFC 2449 §4: a response line is at most 512 octets including CRLF.
export const MAX_RESPONSE_LINE_OCTETS = 510;
// Message numbers and line counts: more digits cannot name a message and only waste effort.
export const MAX_NUMBER_DIGITS = 9;
