// BODY[section] octets: part numbers through multiparts and message/rfc822,
// HEADER / TEXT of encapsulated messages, MIME headers, HEADER.FIELDS (.NOT)
// subsets, and null for parts that do not exist. Expectations were checked
// against Dovecot 2.3's answers to the same FETCHes; deviations are noted.

import { expect } from "chai";
import { fetchSection, parseMessage, type ParsedMessage, type SectionSpec } from "../../../../reference-server/imap/message/index.ts";
import { crlf, fixture } from "./fixtures.ts";

/** "2.2.HEADER.FIELDS (subject from)" -> SectionSpec, as the engine's grammar would produce it. */
function spec(text: string): SectionSpec {
  const m = /^((?:\d+\.)*\d+)?\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?: \((.*)\))?$/.exec(text);
  if (m === null) throw new Error(`bad section in test table: ${text}`);
  return {
    part: m[1] ? m[1].split(".").map(Number) : [],
    ...(m[2] ? { text: m[2] as SectionSpec["text"] } : {}),
    ...(m[3] ? { fields: m[3].split(" ") } : {}),
  };
}

const FORWARDED_INNER_HEADER =
  "Date: Mon, 1 Sep 2003 17:30:00 +0200\r\nFrom: =?UTF-8?Q?Carol_M=C3=BCller?= <carol@example.test>\r\nTo: Alice Example <alice@example.test>\r\n" +
  'Cc: Team: dave@example.test, "Eve E." <eve@example.test>;\r\nSubject: Termin\r\nMessage-ID: <termin-1@example.test>\r\n' +
  'In-Reply-To: <termin-0@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="inner"\r\n\r\n';
const INNERMOST_HEADER = "From: dave@example.test\r\nSubject: original\r\nDate: Sun, 31 Aug 2003 08:00:00 +0000\r\n\r\n";

const TABLES: { name: string; message: () => ParsedMessage; rows: [section: string, expected: string | null][] }[] = [
  {
    name: "forwarded-rfc822.eml (message/rfc822 twice nested)",
    message: () => fixture("forwarded-rfc822.eml"),
    rows: [
      ["1", "See the forwarded mail below.\r\n"],
      ["1.MIME", "Content-Type: text/plain; charset=us-ascii\r\n\r\n"],
      ["2.MIME", "Content-Type: message/rfc822\r\nContent-Description: forwarded message\r\n\r\n"],
      ["2", FORWARDED_INNER_HEADER + "--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nTreffen wir uns am Mittwoch? Gr=C3=BC=C3=9Fe, Carol\r\n\r\n--inner\r\nContent-Type: message/rfc822\r\n\r\n" + INNERMOST_HEADER + "The innermost body.\r\n\r\n--inner--\r\n"],
      ["2.HEADER", FORWARDED_INNER_HEADER],
      ["2.TEXT", "--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nTreffen wir uns am Mittwoch? Gr=C3=BC=C3=9Fe, Carol\r\n\r\n--inner\r\nContent-Type: message/rfc822\r\n\r\n" + INNERMOST_HEADER + "The innermost body.\r\n\r\n--inner--\r\n"],
      ["2.1", "Treffen wir uns am Mittwoch? Gr=C3=BC=C3=9Fe, Carol\r\n"],
      ["2.1.MIME", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"],
      ["2.2", INNERMOST_HEADER + "The innermost body.\r\n"],
      ["2.2.MIME", "Content-Type: message/rfc822\r\n\r\n"],
      ["2.2.HEADER", INNERMOST_HEADER],
      ["2.2.TEXT", "The innermost body.\r\n"],
      // §6.4.5: a non-multipart message has only a part 1, its body; its MIME header is the message header.
      ["2.2.1", "The innermost body.\r\n"],
      ["2.2.1.MIME", INNERMOST_HEADER],
      ["2.HEADER.FIELDS (cc SUBJECT)", 'Cc: Team: dave@example.test, "Eve E." <eve@example.test>;\r\nSubject: Termin\r\n\r\n'],
      ["2.2.HEADER.FIELDS.NOT (date)", "From: dave@example.test\r\nSubject: original\r\n\r\n"],
      ["HEADER.FIELDS (Subject to X-Absent)", "To: bob@example.test\r\nSubject: Fwd: Termin\r\n\r\n"],
      ["HEADER.FIELDS (X-Absent)", "\r\n"],
      // Parts that do not exist. Dovecot answers BODY[2.1.1] of a leaf with the leaf itself (it treats any
      // non-multipart part as having a part 1); RFC 3501 §6.4.5 gives a part 1 only to messages, so: none.
      ["3", null],
      ["2.3", null],
      ["2.1.1", null],
      ["2.2.2", null],
      ["2.2.1.1", null],
      // HEADER and TEXT apply only to the message or to a message/rfc822 part (§6.4.5).
      ["1.HEADER", null],
      ["1.TEXT", null],
      ["MIME", null],
    ],
  },
  {
    name: "logo-multipart-mixed.eml (the lecture's mail)",
    message: () => fixture("logo-multipart-mixed.eml"),
    rows: [
      ["1", "Hallo Herr Pohlmann,\r\nin der Anlage finden Sie ein LOGO der FH-Gelsenkirchen.\r\nGru\xdf\r\nNorbert Pohlmann"],
      ["2.MIME", 'Content-Type: image/jpeg; name="Logo_v2.jpg"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="Logo_v2.jpg"\r\n\r\n'],
      ["HEADER.FIELDS.NOT (Received Return-Path X-Mailer X-Priority MIME-Version Content-Type Message-ID)", "Date: Fri, 22 Aug 2003 10:25:12 +0200 (MEST)\r\nFrom: Norbert.Pohlmann@gmx.de\r\nTo: norbert.pohlmann@informatik.fh-gelsenkirchen.de\r\nSubject: LOGO\r\n\r\n"],
      ["HEADER.FIELDS (received)", "Received: from mx0.gmx.net (mx0.gmx.de [213.165.64.100])\r\n\tby informatik.fh-gelsenkirchen.de (8.11.6/8.11.6) with SMTP id h7M8PJV19332\r\n\tfor <norbert.pohlmann@informatik.fh-gelsenkirchen.de>; Fri, 22 Aug 2003 10:25:19 +0200\r\n\r\n"],
      ["3", null],
    ],
  },
  {
    name: "latin1-8bit.eml (single part: part 1 is the body)",
    message: () => fixture("latin1-8bit.eml"),
    rows: [
      ["2", null],
      ["1.1", null],
    ],
  },
  {
    name: "edge cases of boundaries and headers",
    message: () => parseMessage(crlf("Content-Type: multipart/mixed; boundary=e\n\n--e\n--e\n\n--e--\n")),
    rows: [
      // Both parts are empty: the CRLF before a boundary line is the boundary's (RFC 2046 §5.1.1), so the
      // second part's lone CRLF is not a blank line ending a header. Dovecot answers the same.
      ["1", ""],
      ["1.MIME", ""],
      ["2", ""],
      ["2.MIME", ""],
    ],
  },
  {
    name: "header-only message",
    message: () => parseMessage(crlf("Subject: only header\nFrom: a@b.c").subarray(0, 33)),
    rows: [
      ["HEADER", "Subject: only header\r\nFrom: a@b.c"],
      ["TEXT", ""],
      ["1", ""],
      // The subset ends each field's line; no blank line, as §6.4.5 says for a message with no blank line.
      ["HEADER.FIELDS (from subject)", "Subject: only header\r\nFrom: a@b.c\r\n"],
    ],
  },
  {
    name: "message/rfc822 part that is only a header",
    message: () => parseMessage(crlf("Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: message/rfc822\n\nSubject: hdr only\n--q--\n")),
    rows: [
      // Dovecot gives BODY[1] with the CRLF (19 octets) but 1.HEADER without it; the CRLF is the
      // boundary's (RFC 2046 §5.1.1), so both end before it here.
      ["1", "Subject: hdr only"],
      ["1.HEADER", "Subject: hdr only"],
      ["1.TEXT", ""],
      ["1.HEADER.FIELDS (subject)", "Subject: hdr only\r\n"],
    ],
  },
  {
    name: "nested boundaries sharing a prefix",
    message: () =>
      parseMessage(crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=b-inner\n\n--b-inner\n\ninner1\n--b-inner\n\ninner2\n--b-inner--\n--b\n\nouter2\n--b--\n")),
    rows: [
      ["1.1", "inner1"],
      ["1.2", "inner2"],
      ["2", "outer2"],
      // Dovecot keeps the CRLF after "--b-inner--" in part 1; it precedes "--b", so RFC 2046 §5.1.1 gives it to that boundary.
      ["1", "--b-inner\r\n\r\ninner1\r\n--b-inner\r\n\r\ninner2\r\n--b-inner--"],
    ],
  },
];

describe("imap message: BODY[section]", () => {
  for (const table of TABLES) {
    describe(table.name, () => {
      const m = table.message();
      for (const [section, expected] of table.rows) {
        it(`BODY[${section}]`, () => {
          const got = fetchSection(m, spec(section));
          expect(got === null ? null : got.toString("latin1")).to.equal(expected);
        });
      }
    });
  }

  it("in a single-part message, 1 is TEXT and 1.MIME is HEADER (Dovecot agrees)", () => {
    const m = fixture("latin1-8bit.eml");
    expect(fetchSection(m, spec("1"))!.equals(fetchSection(m, spec("TEXT"))!)).to.equal(true);
    expect(fetchSection(m, spec("1.MIME"))!.equals(fetchSection(m, spec("HEADER"))!)).to.equal(true);
    expect(fetchSection(m, spec("TEXT"))!.length).to.equal(154);
  });

  it("HEADER + TEXT of a fixture is the whole message, byte for byte", () => {
    for (const file of ["logo-multipart-mixed.eml", "hgi-newsletter.eml", "forwarded-rfc822.eml"]) {
      const m = fixture(file);
      expect(Buffer.concat([fetchSection(m, spec("HEADER"))!, fetchSection(m, spec("TEXT"))!]).equals(m.raw), file).to.equal(true);
    }
  });

  it("a folded header field comes back with all its lines (References: 40 lines)", () => {
    const got = fetchSection(fixture("hgi-newsletter.eml"), spec("HEADER.FIELDS (REFERENCES)"))!.toString("latin1");
    expect(got.split("\r\n").length).to.equal(42); // 40 lines, the blank line, and the empty rest after it
    expect(got.startsWith("References: <ref-0.20030818@hgi.ruhr-uni-bochum.de>\r\n <ref-1.")).to.equal(true);
  });

  it("the base64 JPEG of the lecture's mail decodes to a whole JPEG", () => {
    const body = fetchSection(fixture("logo-multipart-mixed.eml"), spec("2"))!;
    const jpeg = Buffer.from(body.toString("latin1"), "base64");
    expect(jpeg.subarray(0, 2).toString("hex")).to.equal("ffd8"); // SOI
    expect(jpeg.subarray(-2).toString("hex")).to.equal("ffd9"); // EOI
    expect(jpeg.length).to.equal(1181);
  });
});
