// LineBuffer: lines and byte runs taken off the front, fed whole and one byte
// at a time; tail() quotes unread input without consuming it.

import { expect } from "chai";
import { LineBuffer, LineTooLongError } from "../../wire/lines.ts";

function feed(buffer: LineBuffer, data: string, bytewise: boolean): void {
  const bytes = Buffer.from(data, "latin1");
  if (!bytewise) buffer.push(bytes);
  else for (let i = 0; i < bytes.length; i++) buffer.push(bytes.subarray(i, i + 1));
}

function allLines(buffer: LineBuffer): string[] {
  const out: string[] = [];
  for (let line = buffer.nextLine(); line !== null; line = buffer.nextLine()) out.push(`${line.bytes.toString("latin1")}|${line.ending}`);
  return out;
}

describe("wire/lines", () => {
  it("nextLine(false) hands out a view into the input, not a copy; the default copies", () => {
    const chunk = Buffer.from("250 ok\r\n250 two\r\n", "latin1");
    const buffer = new LineBuffer({ maxLineOctets: 100 });
    buffer.push(chunk);
    const view = buffer.nextLine(false)!;
    expect(view.bytes.toString("latin1")).to.equal("250 ok");
    expect(view.bytes.buffer).to.equal(chunk.buffer);
    const copy = buffer.nextLine()!;
    expect(copy.bytes.toString("latin1")).to.equal("250 two");
    expect(copy.ending).to.equal("crlf");
    chunk.fill(0x41);
    expect(copy.bytes.toString("latin1")).to.equal("250 two");
  });

  for (const bytewise of [false, true]) {
    const how = bytewise ? "one byte at a time" : "whole";
    it(`splits CRLF and bare-LF lines, fed ${how}`, () => {
      const buffer = new LineBuffer({ maxLineOctets: 100 });
      feed(buffer, "250-a\r\n250 b\r\nbare\nrest", bytewise);
      expect(allLines(buffer)).to.deep.equal(["250-a|crlf", "250 b|crlf", "bare|lf"]);
      expect(buffer.length).to.equal(4);
    });

    it(`quotes the unread tail without consuming it, fed ${how}`, () => {
      const buffer = new LineBuffer({ maxLineOctets: 100 });
      feed(buffer, "done\r\npartial line", bytewise);
      expect(buffer.nextLine()?.bytes.toString()).to.equal("done");
      expect(buffer.tail(4).toString()).to.equal("line");
      expect(buffer.tail(1000).toString()).to.equal("partial line");
      expect(buffer.length).to.equal(12);
      feed(buffer, "\r\n", bytewise);
      expect(buffer.nextLine()?.bytes.toString()).to.equal("partial line");
    });
  }

  it("answers null on an empty buffer, and after draining", () => {
    const buffer = new LineBuffer({ maxLineOctets: 10 });
    expect(buffer.nextLine()).to.equal(null);
    expect(buffer.tail(5).length).to.equal(0);
    buffer.push(Buffer.from("x\r\n"));
    buffer.drain();
    expect(buffer.nextLine()).to.equal(null);
  });

  it("returns a line that does not share memory with the input chunk", () => {
    const buffer = new LineBuffer({ maxLineOctets: 10 });
    const chunk = Buffer.from("abc\r\n");
    buffer.push(chunk);
    const line = buffer.nextLine()!;
    chunk.fill(0x21);
    expect(line.bytes.toString()).to.equal("abc");
  });

  it("refuses a partial line past the limit", () => {
    const buffer = new LineBuffer({ maxLineOctets: 4 });
    buffer.push(Buffer.from("abcdefg"));
    expect(() => buffer.nextLine()).to.throw(LineTooLongError);
  });
});
