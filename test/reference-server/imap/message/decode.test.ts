// Decoded text for SEARCH: encoded-word headers, transfer encodings and
// charsets of the lecture's Latin-1 mails, and Date parsing per RFC 5322.

import { expect } from "chai";
import { bodyText, fullText, headerValues, parseMessage, parseRfc5322Date, sentDate } from "../../../../reference-server/imap/message/index.ts";
import { crlf, fixture } from "./fixtures.ts";

describe("imap message: headerValues", () => {
  const cases: [title: string, message: string, name: string, expected: string[]][] = [
    ["Q and B encoded-words across a fold (RFC 2047 §6.2)", "", "subject", ["Grüße aus Gelsenkirchen - über SMTP"]],
    ["adjacent encoded-words lose the white space between them (RFC 2047 §6.2)", "Subject: =?UTF-8?Q?a?= =?UTF-8?Q?b?=\n\n", "Subject", ["ab"]],
    ["every occurrence, in order, name case-insensitive", "X-Tag: one\nx-tag: two\n\n", "X-TAG", ["one", "two"]],
    ["raw UTF-8 in a header (RFC 6532)", "Subject: \xc3\xbcber\n\n", "subject", ["über"]],
    ["raw Latin-1 octets that are not UTF-8", "Subject: \xfcber\n\n", "subject", ["über"]],
    ["a long folded line is unfolded (RFC 5322 §2.2.3)", "Subject: one\n two\n\tthree\n\n", "subject", ["one two\tthree"]],
    ["a malformed encoded-word stays as written", "Subject: =?utf-8?X?abc?=\n\n", "subject", ["=?utf-8?X?abc?="]],
    ["absent field", "Subject: x\n\n", "from", []],
  ];
  for (const [title, message, name, expected] of cases) {
    it(title, () => {
      const m = message === "" ? fixture("latin1-8bit.eml") : parseMessage(crlf(message));
      expect(headerValues(m, name)).to.deep.equal(expected);
    });
  }

  it("a From with an encoded display name", () => {
    expect(headerValues(fixture("latin1-8bit.eml"), "from")).to.deep.equal(["Dirk Bügzel <dirk.bugzel@informatik.fh-gelsenkirchen.de>"]);
  });
});

describe("imap message: bodyText and fullText", () => {
  it("the lecture's ISO-8859-1 8-bit text is decoded", () => {
    const text = bodyText(fixture("latin1-8bit.eml"));
    expect(text).to.contain("die Übertragung von Umlauten (ä, ö, ü) und ß gelingt");
    expect(text).to.contain("Grüße\r\nDirk Bügzel");
  });

  it("the logo mail: the Latin-1 text part, not the JPEG", () => {
    expect(bodyText(fixture("logo-multipart-mixed.eml"))).to.equal(
      "Hallo Herr Pohlmann,\r\nin der Anlage finden Sie ein LOGO der FH-Gelsenkirchen.\r\nGruß\r\nNorbert Pohlmann",
    );
  });

  it("quoted-printable Latin-1 in both alternatives, soft line breaks joined", () => {
    const text = bodyText(fixture("hgi-newsletter.eml"));
    expect(text).to.contain("Sicherheit für E-Mail, S/MIME und PGP.");
    expect(text).to.contain("<p>die dritte Ausgabe der HGI-News ist erschienen. Themen: Sicherheit für E-Mail.</p>");
    expect(text).not.to.contain("JVBERi0"); // the PDF stays out
  });

  it("a forwarded message's header and UTF-8 quoted-printable text are part of the body text", () => {
    const text = bodyText(fixture("forwarded-rfc822.eml"));
    expect(text).to.contain("From: Carol Müller <carol@example.test>");
    expect(text).to.contain("Treffen wir uns am Mittwoch? Grüße, Carol");
    expect(text).to.contain("The innermost body.");
  });

  it("base64 text, an unknown charset (read as UTF-8) and a missing Content-Type", () => {
    const b64 = parseMessage(crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nw7xiZXIgU01UUA==\n"));
    expect(bodyText(b64)).to.equal("über SMTP");
    expect(bodyText(parseMessage(crlf("Content-Type: text/plain; charset=x-nonsense\n\nplain\n")))).to.equal("plain\r\n");
    expect(bodyText(fixture("addresses-and-groups.eml"))).to.equal("Body without a Content-Type header.\r\n");
  });

  it("fullText is the decoded header and the body text", () => {
    const text = fullText(fixture("latin1-8bit.eml"));
    expect(text).to.contain("Subject: Grüße aus Gelsenkirchen - über SMTP\n");
    expect(text).to.contain("From: Dirk Bügzel <");
    expect(text).to.contain("ohne Quoted-Printable.");
  });
});

describe("imap message: sentDate", () => {
  const cases: [value: string, iso: string | null][] = [
    ["Fri, 22 Aug 2003 10:25:12 +0200 (MEST)", "2003-08-22T08:25:12.000Z"],
    ["Mon, 18 Aug 2003 13:23:33 +0200", "2003-08-18T11:23:33.000Z"],
    ["3 Sep 2003 12:00 -0000", "2003-09-03T12:00:00.000Z"], // no seconds, no day of week
    ["Tue,  2 Sep 03 09:00:00 EST", "2003-09-02T14:00:00.000Z"], // obs-year, obs-zone (RFC 5322 §4.3)
    ["Thu, 1 Jan 70 00:00:00 GMT", "1970-01-01T00:00:00.000Z"],
    ["Sat, 31 Dec 1949 23:59:60 +0000", "1949-12-31T23:59:59.000Z"], // leap second clamped
    ["Fri, 22 (comment) Aug 2003 10:25:12 +0200", "2003-08-22T08:25:12.000Z"],
    ["not a date", null],
    ["31 Feb 2003 10:00:00 +0000", null],
    ["22 Aug 2003 25:00:00 +0000", null],
    ["22 Foo 2003 10:00:00 +0000", null],
    ["22 Aug 2003 10:00:00 +0299", null],
  ];
  for (const [value, iso] of cases) {
    it(value, () => expect(parseRfc5322Date(value)?.toISOString() ?? null).to.equal(iso));
  }

  it("from the message: the first Date field; null when absent", () => {
    expect(sentDate(fixture("logo-multipart-mixed.eml"))?.toISOString()).to.equal("2003-08-22T08:25:12.000Z");
    expect(sentDate(parseMessage(crlf("Subject: x\n\n")))).to.equal(null);
  });
});
