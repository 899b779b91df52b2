// The uid list's text form (everything that is not exactly right is corrupt)
// and UIDVALIDITY values that only ever grow.

import { expect } from "chai";
import { mkdir } from "node:fs/promises";
import {
  formatUidList,
  parseUidList,
  UidValidityIssuer,
  type UidList,
} from "../../../reference-server/store/uid-list.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

const SAMPLE: UidList = {
  uidValidity: 1700000000,
  uidNext: 10,
  keywords: ["$Label1", "Work"],
  messages: [
    { uid: 3, base: "1700000000.M1P2Q3R4.host,S=12", size: 12, date: 1700000000000, keywords: [] },
    { uid: 7, base: "name with spaces\tand \"quotes\"", size: 0, date: 0, keywords: ["Work"] },
  ],
};

describe("store: uid list", () => {
  it("parses what it formats", () => {
    expect(parseUidList(formatUidList(SAMPLE))).to.deep.equal(SAMPLE);
  });

  const header = '{"uidValidity":5,"uidNext":9,"keywords":[]}';
  const CORRUPT: [string, string][] = [
    ["empty", ""],
    ["another format", `mailconform-uidlist 2\n${header}\n`],
    ["no trailing newline (truncated)", `mailconform-uidlist 1\n${header}`],
    ["bad JSON", `mailconform-uidlist 1\n${header}\n[1,"a",1\n`],
    ["UIDs not ascending", `mailconform-uidlist 1\n${header}\n[2,"a",1,0]\n[2,"b",1,0]\n`],
    ["UID at UIDNEXT", `mailconform-uidlist 1\n${header}\n[9,"a",1,0]\n`],
    ["UID zero", `mailconform-uidlist 1\n${header}\n[0,"a",1,0]\n`],
    ["duplicate base", `mailconform-uidlist 1\n${header}\n[1,"a",1,0]\n[2,"a",1,0]\n`],
    ["base with a slash", `mailconform-uidlist 1\n${header}\n[1,"../x",1,0]\n`],
    ["negative size", `mailconform-uidlist 1\n${header}\n[1,"a",-1,0]\n`],
    ["UIDVALIDITY zero", 'mailconform-uidlist 1\n{"uidValidity":0,"uidNext":1,"keywords":[]}\n'],
    ["UIDVALIDITY over 32 bits", 'mailconform-uidlist 1\n{"uidValidity":4294967296,"uidNext":1,"keywords":[]}\n'],
  ];
  for (const [label, text] of CORRUPT) {
    it(`treats ${label} as corrupt`, () => {
      expect(parseUidList(text)).to.equal(null);
    });
  }

  describe("UIDVALIDITY", () => {
    let temp: TempRoot;
    beforeEach(async () => {
      temp = await makeTempRoot();
      await mkdir(temp.root);
    });
    afterEach(async () => {
      await temp.remove();
    });

    it("grows with every value issued, within one second and across issuers (restarts)", async () => {
      const first = new UidValidityIssuer();
      const a = await first.issue(temp.root);
      const b = await first.issue(temp.root);
      const c = await new UidValidityIssuer().issue(temp.root);
      const [d, e] = await Promise.all([first.issue(temp.root), first.issue(temp.root)]);
      expect(a).to.be.at.least(Math.floor(Date.now() / 1000) - 5);
      expect(b).to.be.greaterThan(a);
      expect(c).to.be.greaterThan(b);
      expect(Math.min(d!, e!)).to.be.greaterThan(c);
      expect(d).to.not.equal(e);
    });
  });
});
