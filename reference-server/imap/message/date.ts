// The origination date of a message, for SEARCH SENTBEFORE / SENTON / SENTSINCE:
// the Date field parsed by RFC 5322's grammar, obsolete forms included; an
// unparsable or impossible date is null, never a guess.
// Standards: RFC 5322 §3.3 (date-time), §4.3 (obs-year, obs-zone), RFC 3501 §6.4.4 (SENT* keys).

import { skipCfws } from "./content-fields.ts";
import { firstValue } from "./header-fields.ts";
import type { ParsedMessage } from "./types.ts";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** obs-zone: "UT" / "GMT" / US zones; military letters are "-0000" (unknown) per RFC 5322 §4.3, taken as UTC. */
const ZONE_MINUTES: Record<string, number> = {
  ut: 0, gmt: 0, z: 0, edt: -240, est: -300, cdt: -300, cst: -360, mdt: -360, mst: -420, pdt: -420, pst: -480,
};

/** date-time = [ day-of-week "," ] date time [CFWS]; date = day month year; time = hour ":" minute [ ":" second ] zone */
const DATE_TIME = /^(?:[a-z]{3}\s*,\s*)?(\d{1,2})\s*([a-z]{3})\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*(?:([+-])(\d{2})(\d{2})|([a-z]{1,5}))?\s*$/i;

/** Comments are CFWS anywhere in a date-time; drop them, keeping one space in their place. */
function withoutComments(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; ) {
    if (value[i] === "(") {
      i = skipCfws(value, i);
      out += " ";
    } else {
      out += value[i++];
    }
  }
  return out.trim();
}

export function parseRfc5322Date(value: string): Date | null {
  const match = DATE_TIME.exec(withoutComments(value));
  if (match === null) return null;
  const [, dd, mon, yy, hh, mi, ss, sign, zh, zm, zname] = match;
  const month = MONTHS.indexOf(mon!.toLowerCase());
  let year = Number(yy);
  // obs-year: two digits below 50 are 20xx, others 19xx; three digits add 1900 (RFC 5322 §4.3).
  if (yy!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (yy!.length === 3) year += 1900;
  const day = Number(dd);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  let offset = 0;
  if (sign !== undefined) {
    offset = (sign === "-" ? -1 : 1) * (Number(zh) * 60 + Number(zm));
    if (Number(zm) > 59) return null;
  } else if (zname !== undefined) {
    const named = ZONE_MINUTES[zname.toLowerCase()];
    if (named === undefined && zname.length !== 1) return null;
    offset = named ?? 0;
  }
  if (month < 0 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  // setUTCFullYear, not Date.UTC: the latter maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month + 1, 0);
  if (day > date.getUTCDate()) return null;
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), 0);
  date.setTime(date.getTime() - offset * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The first Date field of the top-level header, parsed; null when absent or unparsable. */
export function sentDate(m: ParsedMessage): Date | null {
  const value = firstValue(m.raw, m.root, "date");
  return value === null ? null : parseRfc5322Date(value);
}
