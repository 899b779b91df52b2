// LANG: the languages of human-readable response text. This server speaks
// English only, so the listing has one line and a language range matches
// when it names English (basic filtering); "*" is the server's preference.
// Standards: RFC 6856 §3 (LANG; "+OK" SP tag SP text; language listings), RFC 4647 §3.3.1 (basic filtering).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok, okList } from "../vocabulary.ts";

/** Language tag and its name in itself, as a language listing line gives them. */
export const LANGUAGES = [{ tag: "en", name: "English" }] as const;

/** The supported language a basic language range matches: equal, or a prefix followed by "-" (case-insensitive). */
export function matchLanguage(range: string): (typeof LANGUAGES)[number] | undefined {
  if (range === "*") return LANGUAGES[0];
  const wanted = range.toLowerCase();
  return LANGUAGES.find((l) => l.tag === wanted || l.tag.startsWith(`${wanted}-`));
}

export const lang: CommandRow<Pop3Session, Pop3State> = {
  verb: "LANG",
  states: ["authorization", "transaction"],
  handle(s, command) {
    if (command.args === "") {
      okList(s, "language listing follows", LANGUAGES.map((l) => `${l.tag} ${l.name}`));
      return;
    }
    if (!/^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/.test(command.args)) throw new ClientError("syntax", "expected LANG [language-range]");
    const language = matchLanguage(command.args);
    if (language === undefined) throw new ClientError("syntax", `language ${command.args} is not supported`);
    ok(s, `${language.tag} language is ${language.name}`);
  },
};
