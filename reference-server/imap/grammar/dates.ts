// IMAP dates: SEARCH's date ("1-Feb-1994", time and zone ignored), APPEND's
// date-time ("17-Jul-1996 02:44:25 -0700") and INTERNALDATE's wire form.
// Standards: RFC 3501 §9 (date, date-time, zone), §6.4.4 (dates compare without time and zone).

import { syntax, type ArgReader } from "./reader.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function month(text: string): number {
  const i = MONTHS.findIndex((m) => m.toLowerCase() === text.toLowerCase());
  if (i === -1) syntax(`"${text}" is not a month (Jan … Dec)`);
  return i;
}

/** A calendar day, as days since the epoch: what SEARCH BEFORE/ON/SINCE compare. */
export type Day = number;

/** date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year */
export function readDate(r: ArgReader): Day {
  const quoted = r.accept('"');
  const text = r.run((c) => c !== 0x20 && c !== 0x22 && c !== 0x29 && c > 0x20 && c < 0x7f, "a date");
  if (quoted) r.expect('"', "a closing quote after the date");
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) syntax(`"${text}" is not a date (d-Mon-yyyy)`);
  return dayOf(Number(m[3]), month(m[2]!), Number(m[1]));
}

function dayOf(year: number, monthIndex: number, day: number): Day {
  const t = Date.UTC(year, monthIndex, day);
  const check = new Date(t);
  if (check.getUTCDate() !== day || day < 1) syntax(`${day}-${MONTHS[monthIndex]}-${year} is not a calendar date`);
  return Math.floor(t / 86_400_000);
}

/** The day of an instant in a time zone given as minutes east of UTC. */
export function dayOfDate(date: Date, offsetMinutes: number): Day {
  return Math.floor((date.getTime() + offsetMinutes * 60_000) / 86_400_000);
}

/** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE */
export function readDateTime(r: ArgReader): Date {
  const text = r.quoted().toString("latin1");
  const m = /^([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) syntax(`"${text}" is not a date-time (dd-Mon-yyyy hh:mm:ss +zzzz)`);
  const [, d, mon, y, hh, mm, ss, sign, zh, zm] = m;
  const day = Number(d!.trim());
  dayOf(Number(y), month(mon!), day);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60 || Number(zm) > 59) syntax(`"${text}" has an impossible time`);
  const offset = (Number(zh) * 60 + Number(zm)) * (sign === "-" ? -1 : 1);
  return new Date(Date.UTC(Number(y), month(mon!), day, Number(hh), Number(mm), Math.min(Number(ss), 59)) - offset * 60_000);
}

/** INTERNALDATE in the server's time zone: "17-Jul-1996 02:44:25 -0700". */
export function formatDateTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return (
    `${pad(local.getUTCDate())}-${MONTHS[local.getUTCMonth()]}-${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${zone}`
  );
}

/** The server's offset from UTC at that instant, in minutes east. */
export function localOffsetMinutes(date: Date): number {
  return -date.getTimezoneOffset();
}

/**
 * The calendar day a Date header names, as written (RFC 3501 §6.4.4: SENT*
 * keys disregard time and timezone, so "7 Feb 1994 21:52 -0800" is 7-Feb even
 * though it is 8-Feb in UTC). null when the header has no such day.
 */
export function writtenDay(value: string): Day | null {
  const m = /(?:^|[\s,])(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s/.exec(value);
  if (!m) return null;
  const monthIndex = MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase());
  if (monthIndex === -1) return null;
  let year = Number(m[3]);
  // obs-year (RFC 5322 §4.3): two digits below 50 are 20xx, other short years 19xx.
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  return Math.floor(Date.UTC(year, monthIndex, Number(m[1])) / 86_400_000);
}
