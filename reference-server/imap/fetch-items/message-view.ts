// The one door to message analysis (imap/message/, written alongside): FETCH
// and SEARCH call these methods and nothing else of it, so a change of its
// API is one edit here. The module is loaded on first use, so a fault in it
// costs only the items that need MIME analysis (NO [UNAVAILABLE]), never the server.
// Standards: RFC 3501 §6.4.5 (FETCH items), §6.4.4 (SEARCH keys), §7.4.2.

import { TempFailure } from "../../core/errors.ts";
import type { ImapValue } from "../value.ts";

export type SectionText = "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";

export interface SectionSpec {
  part: number[];
  text?: SectionText;
  fields?: string[];
}

/** The contract of reference-server/imap/message/index.ts, checked by the compiler; loaded at run time below. */
type MessageAnalysis = Pick<
  typeof import("../message/index.ts"),
  "parseMessage" | "envelope" | "bodyStructure" | "fetchSection" | "decodedSection" | "headerValues" | "addressValues" | "bodyText" | "fullText" | "sentDate"
>;
type ParsedMessage = ReturnType<MessageAnalysis["parseMessage"]>;

let loading: Promise<MessageAnalysis | null> | null = null;

function analysis(): Promise<MessageAnalysis | null> {
  // A variable specifier: the module is being written in parallel and may be absent.
  const specifier = "../message/index.ts";
  loading ??= (import(specifier) as Promise<MessageAnalysis>).catch(() => null);
  return loading;
}

async function need(): Promise<MessageAnalysis> {
  const a = await analysis();
  if (a === null) throw new TempFailure("message analysis is not available on this server build");
  return a;
}

/** One message's bytes with its analysis made once, on first need. */
export class MessageView {
  private parsed: ParsedMessage | undefined = undefined;
  constructor(readonly raw: Buffer) {}

  private async m(): Promise<[MessageAnalysis, ParsedMessage]> {
    const a = await need();
    if (this.parsed === undefined) this.parsed = a.parseMessage(this.raw);
    return [a, this.parsed];
  }

  async envelope(): Promise<ImapValue> {
    const [a, m] = await this.m();
    return a.envelope(m);
  }

  async bodyStructure(extended: boolean): Promise<ImapValue> {
    const [a, m] = await this.m();
    return a.bodyStructure(m, extended);
  }

  /** Section bytes; BODY[] needs no analysis. null: the part does not exist (sent as ""). */
  async section(spec: SectionSpec): Promise<Buffer | null> {
    if (spec.part.length === 0 && spec.text === undefined) return this.raw;
    const [a, m] = await this.m();
    return a.fetchSection(m, spec);
  }

  /** BINARY[part]: the part with its transfer encoding undone (RFC 3516); null: the part does not exist. */
  async decodedSection(part: readonly number[]): Promise<ReturnType<MessageAnalysis["decodedSection"]>> {
    if (part.length === 0) return { bytes: this.raw };
    const [a, m] = await this.m();
    return a.decodedSection(m, part);
  }

  async headerValues(name: string): Promise<string[]> {
    const [a, m] = await this.m();
    return a.headerValues(m, name);
  }

  /** The addresses of an address field as SEARCH FROM/TO/CC/BCC sees them (the envelope's, decoded). */
  async addressValues(name: string): Promise<string[]> {
    const [a, m] = await this.m();
    return a.addressValues(m, name);
  }

  async bodyText(): Promise<string> {
    const [a, m] = await this.m();
    return a.bodyText(m);
  }

  async fullText(): Promise<string> {
    const [a, m] = await this.m();
    return a.fullText(m);
  }

  async sentDate(): Promise<Date | null> {
    const [a, m] = await this.m();
    return a.sentDate(m);
  }
}
