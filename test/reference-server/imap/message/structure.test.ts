// ENVELOPE, BODY and BODYSTRUCTURE of each fixture, exactly. The expectations
// were checked against Dovecot 2.3 on the interop lane (APPEND, then FETCH);
// where ours differs, the comment says why with the RFC sentence behind it.
// Lists are written with SP between all items here; the RFC's 1*body and
// 1*address have none on the wire — that spacing is the engine writer's.

import { expect } from "chai";
import { bodyStructure, envelope, fetchSection, parseMessage } from "../../../../reference-server/imap/message/index.ts";
import type { ImapValue } from "../../../../reference-server/imap/value.ts";
import { crlf, fixture } from "./fixtures.ts";
import { formatImapValue } from "./format-imap-value.ts";

interface Case {
  file: string;
  envelope: string;
  body: string;
  bodystructure: string;
}

const CASES: Case[] = [
  {
    // The lecture's logo mail: the text part ends without a line break before the boundary, so it has
    // 3 line breaks (RFC 2046 §5.1.1: the CRLF before "--boundary" belongs to the boundary).
    file: "logo-multipart-mixed.eml",
    envelope:
      '("Fri, 22 Aug 2003 10:25:12 +0200 (MEST)" "LOGO" ((NIL NIL "Norbert.Pohlmann" "gmx.de")) ((NIL NIL "Norbert.Pohlmann" "gmx.de")) ((NIL NIL "Norbert.Pohlmann" "gmx.de")) ((NIL NIL "norbert.pohlmann" "informatik.fh-gelsenkirchen.de")) NIL NIL NIL "<13970.1061540712@www54.gmx.net>")',
    body: '(("text" "plain" ("charset" "iso-8859-1") NIL NIL "8bit" 101 3)("image" "jpeg" ("name" "Logo_v2.jpg") NIL NIL "base64" 1616) "mixed")',
    bodystructure:
      '(("text" "plain" ("charset" "iso-8859-1") NIL NIL "8bit" 101 3 NIL NIL NIL NIL)("image" "jpeg" ("name" "Logo_v2.jpg") NIL NIL "base64" 1616 NIL ("attachment" ("filename" "Logo_v2.jpg")) NIL NIL) "mixed" ("boundary" "========GMXBoundary139701061540712") NIL NIL NIL)',
  },
  {
    // Subject and names stay raw encoded-words (RFC 3501 §7.4.2 returns the header's strings); folding removed.
    file: "latin1-8bit.eml",
    envelope:
      '("Mon, 18 Aug 2003 13:23:33 +0200" "=?ISO-8859-1?Q?Gr=FC=DFe_aus_Gelsenkirchen?= - =?UTF-8?B?w7xiZXI=?= SMTP" (("=?ISO-8859-1?Q?Dirk_B=FCgzel?=" NIL "dirk.bugzel" "informatik.fh-gelsenkirchen.de")) (("=?ISO-8859-1?Q?Dirk_B=FCgzel?=" NIL "dirk.bugzel" "informatik.fh-gelsenkirchen.de")) (("=?ISO-8859-1?Q?Dirk_B=FCgzel?=" NIL "dirk.bugzel" "informatik.fh-gelsenkirchen.de")) (("Pohlmann, Norbert" NIL "norbert.pohlmann" "informatik.fh-gelsenkirchen.de")(NIL NIL "hgi-news" "lists.ruhr-uni-bochum.de")) NIL NIL NIL "<20030818132333.GA1234@informatik.fh-gelsenkirchen.de>")',
    body: '("text" "plain" ("charset" "ISO-8859-1") NIL NIL "8bit" 154 7)',
    bodystructure: '("text" "plain" ("charset" "ISO-8859-1") NIL NIL "8bit" 154 7 NIL NIL NIL NIL)',
  },
  {
    // Sender and Reply-To differ from From; nested multipart/alternative; every extension field of §7.4.2.
    // Dovecot lists the disposition parameters as ("size" "46" "filename*" ...): it moves RFC 2231 parameters
    // last. We keep the message's order; RFC 3501 defines no order and RFC 2231 leaves joining to the client.
    file: "hgi-newsletter.eml",
    envelope:
      '("Mon, 18 Aug 2003 13:23:33 +0200" "[HGI-News] Ausgabe 3" ((NIL NIL "hgi-news" "lists.ruhr-uni-bochum.de")) ((NIL NIL "hgi-news-bounces+norbert.pohlmann=informatik.fh-gelsenkirchen.de" "lists.ruhr-uni-bochum.de")) ((NIL NIL "info" "hgi.ruhr-uni-bochum.de")) ((NIL NIL "hgi-news" "lists.ruhr-uni-bochum.de")) NIL NIL NIL "<000a01c3657b$28e45a60$d5139386@hgi3>")',
    body: '((("text" "plain" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 128 2)("text" "html" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 154 3) "alternative")("application" "pdf" ("name" "HGI-News_3.pdf") "<hgi-news-3@hgi.ruhr-uni-bochum.de>" "HGI-News Ausgabe 3" "base64" 84) "mixed")',
    bodystructure:
      '((("text" "plain" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 128 2 NIL NIL NIL NIL)("text" "html" ("charset" "iso-8859-1") NIL NIL "quoted-printable" 154 3 NIL NIL NIL NIL) "alternative" ("boundary" "----=_NextPart_001_0008_01C3658B.EC4D6320") NIL NIL NIL)("application" "pdf" ("name" "HGI-News_3.pdf") "<hgi-news-3@hgi.ruhr-uni-bochum.de>" "HGI-News Ausgabe 3" "base64" 84 "b4XIvRaRzqeSeCcSzA/FQw==" ("attachment" ("filename*" "iso-8859-1\'\'HGI-News_Ausgabe_3_%FCber.pdf" "size" "46")) ("de" "en") "http://www.hgi.ruhr-uni-bochum.de/news/3.pdf") "mixed" ("boundary" "----=_NextPart_000_0007_01C3658B.EC4D6320") NIL ("de") NIL)',
  },
  {
    // message/rfc822 inside multipart/mixed holding another message/rfc822: envelope, body and lines of each.
    file: "forwarded-rfc822.eml",
    envelope:
      '("Tue, 2 Sep 2003 09:00:00 +0200" "Fwd: Termin" (("Alice Example" NIL "alice" "example.test")) (("Alice Example" NIL "alice" "example.test")) (("Alice Example" NIL "alice" "example.test")) ((NIL NIL "bob" "example.test")) NIL NIL NIL "<fwd-1@example.test>")',
    body: '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 31 1)("message" "rfc822" NIL NIL "forwarded message" "7bit" 669 ("Mon, 1 Sep 2003 17:30:00 +0200" "Termin" (("=?UTF-8?Q?Carol_M=C3=BCller?=" NIL "carol" "example.test")) (("=?UTF-8?Q?Carol_M=C3=BCller?=" NIL "carol" "example.test")) (("=?UTF-8?Q?Carol_M=C3=BCller?=" NIL "carol" "example.test")) (("Alice Example" NIL "alice" "example.test")) ((NIL NIL "Team" NIL)(NIL NIL "dave" "example.test")("Eve E." NIL "eve" "example.test")(NIL NIL NIL NIL)) NIL "<termin-0@example.test>" "<termin-1@example.test>") (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 53 1)("message" "rfc822" NIL NIL NIL "7bit" 106 ("Sun, 31 Aug 2003 08:00:00 +0000" "original" ((NIL NIL "dave" "example.test")) ((NIL NIL "dave" "example.test")) ((NIL NIL "dave" "example.test")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 21 1) 5) "mixed") 26) "mixed")',
    bodystructure:
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 31 1 NIL NIL NIL NIL)("message" "rfc822" NIL NIL "forwarded message" "7bit" 669 ("Mon, 1 Sep 2003 17:30:00 +0200" "Termin" (("=?UTF-8?Q?Carol_M=C3=BCller?=" NIL "carol" "example.test")) (("=?UTF-8?Q?Carol_M=C3=BCller?=" NIL "carol" "example.test")) (("=?UTF-8?Q?Carol_M=C3=BCller?=" NIL "carol" "example.test")) (("Alice Example" NIL "alice" "example.test")) ((NIL NIL "Team" NIL)(NIL NIL "dave" "example.test")("Eve E." NIL "eve" "example.test")(NIL NIL NIL NIL)) NIL "<termin-0@example.test>" "<termin-1@example.test>") (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 53 1 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 106 ("Sun, 31 Aug 2003 08:00:00 +0000" "original" ((NIL NIL "dave" "example.test")) ((NIL NIL "dave" "example.test")) ((NIL NIL "dave" "example.test")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 21 1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL) "mixed" ("boundary" "inner") NIL NIL NIL) 26 NIL NIL NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL)',
  },
  {
    // Groups, an empty group, a quoted local part, a source route, a comment standing in for a name (as
    // Dovecot does), Reply-To absent -> From (RFC 3501 §7.4.2), no Content-Type -> RFC 2045 §5.2 default.
    file: "addresses-and-groups.eml",
    envelope:
      '("3 Sep 2003 12:00 -0000" "Addresses" (("Alice \\"Al\\" Example" NIL "alice" "example.test")) (("Bob the Sender" NIL "bob" "example.test")) (("Alice \\"Al\\" Example" NIL "alice" "example.test")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "Team" NIL)("Carol C." NIL "carol" "example.test")(NIL NIL "dave" "example.test")(NIL NIL NIL NIL)("=?UTF-8?B?RXZlIMOJdmU=?=" NIL "eve" "example.test")(NIL NIL "john doe" "example.test")) (("Route" "@relay.example.test,@hop.example.test" "frank" "example.test")) "<a@example.test> <b@example.test>" "<addr-1@example.test>")',
    body: '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 37 1)',
    bodystructure: '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 37 1 NIL NIL NIL NIL)',
  },
];

describe("imap message: ENVELOPE and BODYSTRUCTURE of the fixtures", () => {
  for (const c of CASES) {
    describe(c.file, () => {
      const m = fixture(c.file);
      it("ENVELOPE", () => expect(formatImapValue(envelope(m))).to.equal(c.envelope));
      it("BODY", () => expect(formatImapValue(bodyStructure(m, false))).to.equal(c.body));
      it("BODYSTRUCTURE", () => expect(formatImapValue(bodyStructure(m, true))).to.equal(c.bodystructure));
    });
  }

  it("sizes add up: each leaf's octets are exactly its BODY[n] bytes", () => {
    const m = fixture("logo-multipart-mixed.eml");
    expect(fetchSection(m, { part: [1] })!.length).to.equal(101);
    expect(fetchSection(m, { part: [2] })!.length).to.equal(1616);
  });

  it("8-bit header octets come back unchanged, as bytes (the writer sends them as literals)", () => {
    const m = parseMessage(crlf("Subject: Gr\xfc\xdfe\nFrom: J\xf6rg <j@x.test>\n\nb\n"));
    const env = envelope(m) as ImapValue[];
    expect(env[1]).to.deep.equal({ string: Buffer.from("Gr\xfc\xdfe", "latin1") });
    // env-from = "(" 1*address ")": one adjacent run of addresses inside the list.
    const from = (env[2] as ImapValue[])[0] as { adjacent: ImapValue[][] };
    expect(from.adjacent[0]![0]).to.deep.equal({ string: Buffer.from("J\xf6rg", "latin1") });
    expect(formatImapValue(envelope(m))).to.equal(
      '(NIL {5}\r\nGr\xfc\xdfe (({4}\r\nJ\xf6rg NIL "j" "x.test")) (({4}\r\nJ\xf6rg NIL "j" "x.test")) (({4}\r\nJ\xf6rg NIL "j" "x.test")) NIL NIL NIL NIL NIL)',
    );
  });
});
