// BINARY[part] octets (RFC 3516): each transfer encoding undone, text parts
// with CRLF line ends, composite parts and the whole message as stored, an
// unknown encoding reported rather than guessed, a missing part as null; and
// the engine writer's choice of string or literal8 for the result.
// Standards: RFC 3516 §4.2.1, §4.3.1, §4.5 (literal8), RFC 2045 §6.

import { expect } from "chai";
import { decodedSection, parseMessage } from "../../../../reference-server/imap/message/index.ts";
import { binary } from "../../../../reference-server/imap/value.ts";
import { encodeValue } from "../../../../reference-server/imap/writer.ts";

const message = parseMessage(
  Buffer.from(
    [
      "From: a@example.test",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("one\ntwo\rthree\r\n").toString("base64"),
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Transfer-Encoding: BASE64",
      "",
      Buffer.from([0, 1, 2, 0x0a, 0xff]).toString("base64"),
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "caf=C3=A9 =3D ok=",
      "",
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Transfer-Encoding: x-uuencode",
      "",
      "begin 644 x",
      "--b",
      "Content-Type: message/rfc822",
      "",
      "Subject: inner",
      "",
      "inner body",
      "--b--",
      "",
    ].join("\r\n"),
  ),
);

const bytesOf = (path: number[]): Buffer => {
  const result = decodedSection(message, path);
  if (result === null || !("bytes" in result)) throw new Error(`no octets for ${path.join(".")}: ${JSON.stringify(result)}`);
  return result.bytes;
};

describe("reference-server imap: BINARY section decoding", () => {
  it("decodes base64 text and turns every line end into CRLF", () => {
    expect(bytesOf([1]).toString("latin1")).to.equal("one\r\ntwo\r\nthree\r\n");
  });

  it("decodes base64 octets as they are (the encoding name in any case), NUL, LF and 0xFF included", () => {
    expect([...bytesOf([2])]).to.deep.equal([0, 1, 2, 0x0a, 0xff]);
  });

  it("decodes quoted-printable, soft line breaks joined", () => {
    expect(bytesOf([3]).toString("utf8")).to.equal("café = ok");
  });

  it("reports an encoding it cannot undo instead of guessing", () => {
    expect(decodedSection(message, [4])).to.deep.equal({ unknownEncoding: "x-uuencode" });
  });

  it("returns a message/rfc822 part and the whole message as stored", () => {
    expect(bytesOf([5]).toString("latin1")).to.equal("Subject: inner\r\n\r\ninner body");
    expect(bytesOf([])).to.equal(message.raw);
  });

  it("answers null for a part that does not exist", () => {
    expect(decodedSection(message, [9])).to.equal(null);
    expect(decodedSection(message, [1, 1])).to.equal(null);
  });

  it("the writer sends octets with NUL as a literal8 and others as a string", () => {
    expect((encodeValue(binary(Buffer.from([0x61, 0, 0x62]))) as Buffer).toString("latin1")).to.equal("~{3}\r\na\x00b");
    expect(encodeValue(binary(Buffer.from("plain")))).to.equal('"plain"');
    expect((encodeValue(binary(Buffer.from("caf\xe9", "latin1"))) as Buffer).toString("latin1")).to.equal("{4}\r\ncaf\xe9");
  });
});
