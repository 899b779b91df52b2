// SASLprep with the examples of RFC 4013 §3, and the narrowings wire/saslprep.ts documents.

import { expect } from "chai";
import { saslprep, SaslprepError } from "../../wire/saslprep.ts";

describe("wire/saslprep", () => {
  it("prepares the RFC 4013 §3 examples", () => {
    expect(saslprep("I\u00ADX", "stored")).to.equal("IX"); // SOFT HYPHEN mapped to nothing
    expect(saslprep("user", "stored")).to.equal("user");
    expect(saslprep("USER", "stored")).to.equal("USER"); // case preserved
    expect(saslprep("\u00AA", "stored")).to.equal("a"); // NFKC
    expect(saslprep("\u2168", "stored")).to.equal("IX"); // NFKC
    expect(() => saslprep("\u0007", "stored")).to.throw(SaslprepError); // prohibited character
    expect(() => saslprep("\u0627\u0031", "stored")).to.throw(SaslprepError); // bidi: refused here, an error in RFC 4013 too
  });

  it("maps non-ASCII spaces to SPACE and refuses prohibited output", () => {
    expect(saslprep("a\u00A0b\u3000c", "query")).to.equal("a b c");
    expect(saslprep("a\u200Db", "query")).to.equal("ab");
    for (const bad of ["a\u0000", "\uE000", "\uFFFD", "a\u200Eb", "\u{E0001}", "\uFDD0"]) {
      expect(() => saslprep(bad, "query"), JSON.stringify(bad)).to.throw(SaslprepError);
    }
  });

  it("refuses unassigned code points only in stored strings", () => {
    const unassigned = "\u0378"; // Greek block gap, unassigned
    expect(saslprep(`a${unassigned}`, "query")).to.equal(`a${unassigned}`);
    expect(() => saslprep(`a${unassigned}`, "stored")).to.throw(SaslprepError);
  });
});
