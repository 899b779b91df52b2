// The DSN parameters of MAIL (RET, ENVID) and RCPT (NOTIFY, ORCPT), checked
// against their grammar and kept with the transaction. A value outside the
// grammar is a syntax error in the parameters: 501 5.5.4 (a parameter given
// twice already is, grammar.ts).
// Standards: RFC 3461 §4 (xtext), §4.1 (NOTIFY), §4.2 (ORCPT), §4.3 (RET),
// §4.4 (ENVID); RFC 5321 §4.2.2 (501), RFC 3463 (5.5.4).

import { ClientError } from "../core/errors.ts";

export type NotifyCondition = "SUCCESS" | "FAILURE" | "DELAY";

/** What RCPT's NOTIFY asked for: "NEVER" (no DSN at all) or the conditions listed. */
export type Notify = "NEVER" | ReadonlySet<NotifyCondition>;

export interface RecipientDsn {
  notify?: Notify;
  /** ORCPT: the address type (e.g. "rfc822") and the original recipient, decoded from xtext. */
  orcpt?: { addrType: string; address: string };
}

export interface TransactionDsn {
  ret?: "FULL" | "HDRS";
  /** ENVID, decoded from xtext. */
  envid?: string;
}

const NOTIFY_CONDITIONS: readonly NotifyCondition[] = ["SUCCESS", "FAILURE", "DELAY"];
// RFC 3461 §4.4: "ENVID ... maximum length of 100 characters"; §4.2: ORCPT "up to 500 characters".
const MAX_ENVID_CHARS = 100;
const MAX_ORCPT_CHARS = 500;
// xtext = *( xchar / hexchar ); xchar = "!".."~" except "+" and "="; hexchar = "+" 2(upper-case HEXDIG).
const XTEXT = /^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$/;
// addr-type = atom (RFC 5322 atext), as RFC 3461 §4.2 defines it.
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;

/** The octets an xtext stands for, as a string (latin1), or null when it is not xtext. */
export function decodeXtext(text: string): string | null {
  if (!XTEXT.test(text)) return null;
  return text.replace(/\+([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY in any case; NEVER only alone (RFC 3461 §4.1). */
export function parseNotify(value: string | null): Notify {
  if (value === null) throw new ClientError("syntax", "NOTIFY needs a value");
  const words = value.toUpperCase().split(",");
  if (words.length === 1 && words[0] === "NEVER") return "NEVER";
  const conditions = new Set<NotifyCondition>();
  for (const word of words) {
    if (word === "NEVER") throw new ClientError("syntax", "NOTIFY=NEVER must appear by itself");
    if (!NOTIFY_CONDITIONS.includes(word as NotifyCondition)) throw new ClientError("syntax", `NOTIFY value ${word || "(empty)"} is not NEVER, SUCCESS, FAILURE or DELAY`);
    conditions.add(word as NotifyCondition);
  }
  return conditions;
}

/** ORCPT=addr-type ";" xtext (RFC 3461 §4.2). */
export function parseOrcpt(value: string | null): { addrType: string; address: string } {
  if (value === null || value.length > MAX_ORCPT_CHARS) throw new ClientError("syntax", `ORCPT needs addr-type;xtext of at most ${MAX_ORCPT_CHARS} characters`);
  const semicolon = value.indexOf(";");
  const addrType = semicolon === -1 ? "" : value.slice(0, semicolon);
  const address = semicolon === -1 ? null : decodeXtext(value.slice(semicolon + 1));
  if (!ATOM.test(addrType) || address === null || address === "") throw new ClientError("syntax", "ORCPT must be addr-type;xtext");
  return { addrType, address };
}

/** RET=FULL or RET=HDRS, in any case (RFC 3461 §4.3). */
export function parseRet(value: string | null): "FULL" | "HDRS" {
  const ret = value?.toUpperCase();
  if (ret !== "FULL" && ret !== "HDRS") throw new ClientError("syntax", "RET must be FULL or HDRS");
  return ret;
}

/** ENVID=xtext of 1 to 100 characters (RFC 3461 §4.4). */
export function parseEnvid(value: string | null): string {
  const envid = value === null || value.length > MAX_ENVID_CHARS ? null : decodeXtext(value);
  if (envid === null || envid === "") throw new ClientError("syntax", `ENVID must be xtext of 1 to ${MAX_ENVID_CHARS} characters`);
  return envid;
}
