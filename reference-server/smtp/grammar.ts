// Parsers for the arguments of EHLO/HELO, MAIL and RCPT: domains, address
// literals, paths and ESMTP parameters. They return values or throw
// ClientError; they know nothing of sessions.
// Standards: RFC 5321 §4.1.1.1, §4.1.2, §4.1.3, §4.5.3.1; RFC 6531 §3.3 (UTF-8 addresses).

import { ClientError } from "../core/errors.ts";
import { MAX_DOMAIN_OCTETS, MAX_LOCAL_PART_OCTETS, MAX_PATH_OCTETS } from "./limits.ts";

// sub-domain = Let-dig [Ldh-str]; RFC 6531 adds U-labels (any non-ASCII).
// Underscores are tolerated: Windows hosts put them in EHLO names.
const SUB_DOMAIN = /^[A-Za-z0-9_\u0080-\uffff]([A-Za-z0-9_\u0080-\uffff-]*[A-Za-z0-9_\u0080-\uffff])?$/;
// atext (RFC 5322 §3.2.3) plus UTF8-non-ascii (RFC 6531 §3.3).
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+$/;
// Quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP is %d32-33 / %d35-91 / %d93-126, quoted-pairSMTP "\" %d32-126.
const QUOTED_STRING = /^"([\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); esmtp-value = 1*(%d33-60 / %d62-126)
const ESMTP_PARAM = /^([A-Za-z0-9][A-Za-z0-9-]*)(=([\x21-\x3c\x3e-\x7e]+))?$/;

export function isDomain(text: string): boolean {
  return text.length > 0 && text.length <= MAX_DOMAIN_OCTETS && text.split(".").every((label) => label.length <= 63 && SUB_DOMAIN.test(label));
}

/** address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]" */
export function isAddressLiteral(text: string): boolean {
  if (!text.startsWith("[") || !text.endsWith("]")) return false;
  const inner = text.slice(1, -1);
  if (IPV4.test(inner)) return true;
  if (/^IPv6:/i.test(inner)) return /^[0-9A-Fa-f:.]+$/.test(inner.slice(5)) && inner.includes(":", 5);
  // General-address-literal = Standardized-tag ":" 1*dcontent
  return /^[A-Za-z0-9-]*[A-Za-z0-9]:[\x21-\x5a\x5e-\x7e]+$/.test(inner);
}

/** ehlo = "EHLO" SP ( Domain / address-literal ) CRLF */
export function parseHeloArgument(args: string, verb: string): string {
  if (args === "") throw new ClientError("syntax", `${verb} requires a domain or address literal`);
  if (!isDomain(args) && !isAddressLiteral(args)) throw new ClientError("syntax", `${verb} argument is not a domain or address literal`);
  return args;
}

export interface Mailbox {
  localPart: string;
  /** Lower-cased domain, or the address literal as written. */
  domain: string;
  /** Local-part "@" domain as received. */
  text: string;
  /** Contains non-ASCII octets (needs SMTPUTF8). */
  utf8: boolean;
}

export interface PathArgument {
  /** null for the null reverse-path "<>"; for RCPT, "Postmaster" without domain gives domain "". */
  mailbox: Mailbox | null;
  /** Keyword upper-cased → value (null for a bare keyword). */
  params: Map<string, string | null>;
}

/**
 * mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
 * rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] CRLF
 * Path = "<" [ A-d-l ":" ] Mailbox ">"   (the source route is accepted and ignored, §4.1.1.3)
 * One space after the colon is tolerated: many deployed clients send it.
 */
export function parsePathArgument(args: string, keyword: "FROM" | "TO"): PathArgument {
  const head = keyword + ":";
  if (args.slice(0, head.length).toUpperCase() !== head) throw new ClientError("syntax", `expected ${head}<address>`);
  let rest = args.slice(head.length);
  if (rest.startsWith(" ")) rest = rest.slice(1);
  if (!rest.startsWith("<")) throw new ClientError("syntax", `expected ${head}<address>`);
  const close = findPathEnd(rest);
  if (close === -1) throw new ClientError("syntax", "path is missing its closing >");
  let path = rest.slice(1, close);
  const tail = rest.slice(close + 1);
  if (tail !== "" && !tail.startsWith(" ")) throw new ClientError("syntax", "garbage after the path");
  const params = parseParams(tail.slice(1));
  if (Buffer.byteLength(path) + 2 > MAX_PATH_OCTETS) throw new ClientError("bad-address", "path too long");
  if (path === "") {
    if (keyword === "TO") throw new ClientError("bad-address", "empty forward-path");
    return { mailbox: null, params };
  }
  // A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain
  if (path.startsWith("@")) {
    const colon = path.indexOf(":");
    if (colon === -1) throw new ClientError("bad-address", "malformed source route");
    const route = path.slice(0, colon).split(",");
    if (!route.every((hop) => hop.startsWith("@") && isDomain(hop.slice(1)))) throw new ClientError("bad-address", "malformed source route");
    path = path.slice(colon + 1);
  }
  if (keyword === "TO" && path.toLowerCase() === "postmaster") {
    return { mailbox: { localPart: path, domain: "", text: path, utf8: false }, params };
  }
  return { mailbox: parseMailbox(path), params };
}

/** Mailbox = Local-part "@" ( Domain / address-literal ) */
export function parseMailbox(text: string): Mailbox {
  const at = text.lastIndexOf("@");
  if (at <= 0) throw new ClientError("bad-address", `${text} is not an address`);
  const localPart = text.slice(0, at);
  const domain = text.slice(at + 1);
  const localOk = localPart.startsWith('"') ? QUOTED_STRING.test(localPart) : localPart.split(".").every((atom) => ATOM.test(atom));
  if (!localOk) throw new ClientError("bad-address", "malformed local part");
  if (Buffer.byteLength(localPart) > MAX_LOCAL_PART_OCTETS) throw new ClientError("bad-address", "local part too long");
  if (!isDomain(domain) && !isAddressLiteral(domain)) throw new ClientError("bad-address", "malformed domain");
  return {
    localPart,
    domain: domain.startsWith("[") ? domain : domain.toLowerCase(),
    text,
    utf8: /[^\x00-\x7f]/.test(text),
  };
}

/** Mail-parameters = esmtp-param *(SP esmtp-param) */
function parseParams(text: string): Map<string, string | null> {
  const params = new Map<string, string | null>();
  if (text === "") return params;
  for (const word of text.split(" ")) {
    const match = ESMTP_PARAM.exec(word);
    if (!match) throw new ClientError("syntax", `malformed parameter ${word.slice(0, 40)}`);
    const key = match[1]!.toUpperCase();
    if (params.has(key)) throw new ClientError("syntax", `parameter ${key} given twice`);
    params.set(key, match[3] ?? null);
  }
  return params;
}

/** Index of the ">" closing a path that starts at 0, skipping quoted strings. */
function findPathEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ">" && !quoted) return i;
  }
  return -1;
}
