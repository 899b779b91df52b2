// FETCH's attribute list: the macros, the plain items, and BODY[section]<partial>
// with HEADER, HEADER.FIELDS (.NOT), TEXT, MIME and part numbers. An unknown
// item is a syntax error (tagged BAD).
// Standards: RFC 3501 §6.4.5, §9 (fetch-att, section, section-spec, header-list), RFC 3516 §4.2 (BINARY).

import { syntax, type ArgReader } from "../grammar/reader.ts";
import type { SectionSpec, SectionText } from "./message-view.ts";

export type SimpleItem = "UID" | "FLAGS" | "INTERNALDATE" | "RFC822.SIZE" | "ENVELOPE" | "BODY" | "BODYSTRUCTURE" | "MODSEQ" | "EMAILID" | "THREADID";

export type FetchItem =
  | { kind: SimpleItem }
  | {
      kind: "section";
      /** The name the response carries: "BODY[1.HEADER]", "RFC822", "BODY[]<0>". */
      responseName: string;
      spec: SectionSpec;
      /** BODY.PEEK, RFC822.HEADER: do not set \Seen. */
      peek: boolean;
      partial?: { start: number; length: number };
    }
  | BinaryItem;

/**
 * RFC 3516 §4.2: BINARY[part]<partial> (decoded content; BINARY.PEEK leaves \Seen alone) and
 * BINARY.SIZE[part] (its size). section-binary = "[" [section-part] "]".
 */
export interface BinaryItem {
  kind: "binary" | "binary-size";
  /** "BINARY[1.2]", "BINARY[]<0>", "BINARY.SIZE[1]" */
  responseName: string;
  part: number[];
  peek: boolean;
  partial?: { start: number; length: number };
}

const MACROS: Record<string, SimpleItem[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};

// MODSEQ: RFC 7162 §3.1.4.2. EMAILID, THREADID: RFC 8474 §5.3.
const SIMPLE = new Set<string>(["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE", "MODSEQ", "EMAILID", "THREADID"]);

/** fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")") */
export function readFetchItems(r: ArgReader): FetchItem[] {
  if (r.accept("(")) {
    const items: FetchItem[] = [];
    for (;;) {
      items.push(readItem(r));
      if (r.accept(")")) return items;
      r.sp();
    }
  }
  const start = r.pos;
  const word = r.run((c) => c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x5b, "fetch items").toUpperCase();
  const macro = MACROS[word];
  if (macro && r.peek() !== 0x5b) return macro.map((kind) => ({ kind }));
  r.pos = start;
  return [readItem(r)];
}

function readItem(r: ArgReader): FetchItem {
  const word = r.run((c) => c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x5b && c !== 0x3c, "a fetch item").toUpperCase();
  if (r.peek() === 0x5b && (word === "BINARY" || word === "BINARY.PEEK" || word === "BINARY.SIZE")) return readBinaryItem(r, word);
  if (r.peek() === 0x5b) {
    if (word !== "BODY" && word !== "BODY.PEEK") syntax(`${word} takes no section`);
    r.pos++;
    const { spec, text } = readSection(r);
    r.expect("]", '"]" after the section');
    const partial = readPartial(r);
    const responseName = `BODY[${text}]` + (partial ? `<${partial.start}>` : "");
    const item: FetchItem = { kind: "section", responseName, spec, peek: word === "BODY.PEEK" };
    return partial ? { ...item, partial } : item;
  }
  if (SIMPLE.has(word)) return { kind: word as SimpleItem };
  if (word === "RFC822") return { kind: "section", responseName: "RFC822", spec: { part: [] }, peek: false };
  if (word === "RFC822.HEADER") return { kind: "section", responseName: "RFC822.HEADER", spec: { part: [], text: "HEADER" }, peek: true };
  if (word === "RFC822.TEXT") return { kind: "section", responseName: "RFC822.TEXT", spec: { part: [], text: "TEXT" }, peek: false };
  syntax(`unknown fetch item ${word.slice(0, 30)}`);
}

/**
 * section-spec = section-msgtext / (section-part ["." section-text])
 * section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
 * section-text = section-msgtext / "MIME"
 */
function readSection(r: ArgReader): { spec: SectionSpec; text: string } {
  const part: number[] = [];
  if (r.peek() === 0x5d) return { spec: { part }, text: "" };
  while (r.peek() >= 0x30 && r.peek() <= 0x39) {
    part.push(r.nzNumber("a part number"));
    if (r.peek() === 0x5d) return { spec: { part }, text: part.join(".") };
    r.expect(".", '"." in the section');
  }
  const name = r.run((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e, "a section name").toUpperCase() as SectionText;
  const prefix = part.length > 0 ? part.join(".") + "." : "";
  if (name === "HEADER" || name === "TEXT" || (name === "MIME" && part.length > 0)) {
    return { spec: { part, text: name }, text: prefix + name };
  }
  if (name === "HEADER.FIELDS" || name === "HEADER.FIELDS.NOT") {
    r.sp();
    r.expect("(", "a header list");
    const fields: string[] = [];
    for (;;) {
      fields.push(r.astringText("a header field name"));
      if (r.accept(")")) break;
      r.sp();
    }
    if (fields.some((f) => !/^[\x21-\x39\x3b-\x7e]+$/.test(f))) syntax("a header field name has only printable characters and no colon");
    // The response names the fields as the client spelled them: some clients look the item up by that exact text.
    const list = fields.map((f) => (/^[A-Za-z0-9-]+$/.test(f) ? f : `"${f.replace(/[\\"]/g, (c) => "\\" + c)}"`)).join(" ");
    return { spec: { part, text: name, fields: fields.map((f) => f.toUpperCase()) }, text: `${prefix}${name} (${list})` };
  }
  syntax(`unknown section ${prefix}${name}`);
}

/** section-binary = "[" [section-part] "]"; BINARY.SIZE takes no partial. */
function readBinaryItem(r: ArgReader, word: "BINARY" | "BINARY.PEEK" | "BINARY.SIZE"): BinaryItem {
  r.pos++;
  const part: number[] = [];
  while (r.peek() !== 0x5d) {
    if (part.length > 0) r.expect(".", '"." in the section');
    part.push(r.nzNumber("a part number"));
  }
  r.pos++;
  if (word === "BINARY.SIZE") return { kind: "binary-size", responseName: `BINARY.SIZE[${part.join(".")}]`, part, peek: true };
  const partial = readPartial(r);
  const item: BinaryItem = { kind: "binary", responseName: `BINARY[${part.join(".")}]` + (partial ? `<${partial.start}>` : ""), part, peek: word === "BINARY.PEEK" };
  return partial ? { ...item, partial } : item;
}

/** "<" number "." nz-number ">" */
function readPartial(r: ArgReader): { start: number; length: number } | undefined {
  if (!r.accept("<")) return undefined;
  const start = r.number("a partial start");
  r.expect(".", '"." in the partial');
  const length = r.nzNumber("a partial length");
  r.expect(">", '">" after the partial');
  return { start, length };
}

/** Whether the items need the message's bytes at all. */
export function needsBody(items: readonly FetchItem[]): boolean {
  return items.some((i) => i.kind === "section" || i.kind === "binary" || i.kind === "binary-size" || i.kind === "EMAILID" || i.kind === "ENVELOPE" || i.kind === "BODY" || i.kind === "BODYSTRUCTURE");
}

/** Whether fetching sets \Seen (RFC 3501 §6.4.5: BODY[...] and RFC822 without PEEK). */
export function setsSeen(items: readonly FetchItem[]): boolean {
  return items.some((i) => (i.kind === "section" || i.kind === "binary") && !i.peek);
}
