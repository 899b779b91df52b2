// SMTP's size limits. Each names the RFC sentence behind it and what it stops.
// Standards: RFC 5321 §4.5.3.1, RFC 4954 §4.

import { MAX_SASL_LINE_OCTETS } from "../auth/command.ts";

/** Longest line any SMTP read asks for: SASL responses. */
export const SMTP_MAX_BUFFERED_LINE_OCTETS = MAX_SASL_LINE_OCTETS;
// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
// Longer lines get "500 5.5.2 line too long" and the session goes on.
export const MAX_COMMAND_LINE_OCTETS = 510;
// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF;
// the doubled leading dot does not count, so the wire line may be one longer.
export const MAX_TEXT_LINE_OCTETS = 998;
export const MAX_WIRE_TEXT_LINE_OCTETS = MAX_TEXT_LINE_OCTETS + 1;
// RFC 5321 §4.5.3.1.1-3: local-part 64, domain 255, path 256 octets.
export const MAX_LOCAL_PART_OCTETS = 64;
export const MAX_DOMAIN_OCTETS = 255;
export const MAX_PATH_OCTETS = 256;
// BDAT chunks are read in slices of this size, so a huge chunk never sits in memory twice.
export const BDAT_READ_SLICE_OCTETS = 64 * 1024;
// DATA lines taken from the buffer before the session lets the others run:
// a client streaming empty lines otherwise held the event loop for tens of
// milliseconds per read and every other client's reply waited.
export const DATA_LINES_PER_TURN = 1024;
// Copies of one message handed to the store at once (one per recipient user):
// each becomes a file of the whole message with its own trace headers, so a
// thousand recipients of a 25 MiB message are not written all at once.
export const DELIVERIES_AT_ONCE = 4;
