// ESEARCH responses against patterns: the correlator and UID indicator in
// place, the return data as pairs in any order, and ALL by the numbers it
// names — as a set when the pattern is ascending (SEARCH), in order when not (extended SORT).

import { expect } from "chai";
import { expandSequenceSet } from "../../../../runner/protocols/imap/matchers/sequence-set.ts";
import { Matcher } from "../../../../runner/protocols/imap/matchers/tokens.ts";
import { tokenize } from "../../../../wire/imap-tokens.ts";
import * as A from "../../../support/ast.ts";

function matches(pattern: string, actual: string): boolean {
  return new Matcher(() => undefined).response(A.pattern(pattern).tokens, tokenize(actual), new Map());
}

describe("IMAP matcher: sequence-sets", () => {
  it("expands ranges upwards in written order, and refuses what is no set of numbers", () => {
    expect(expandSequenceSet("2,10:12")).to.deep.equal([2, 10, 11, 12]);
    expect(expandSequenceSet("12:10,1")).to.deep.equal([10, 11, 12, 1]);
    expect(expandSequenceSet("7")).to.deep.equal([7]);
    expect(expandSequenceSet("1:*")).to.equal(null);
    expect(expandSequenceSet("0")).to.equal(null);
    expect(expandSequenceSet("1,,2")).to.equal(null);
  });
});

describe("IMAP matcher: ESEARCH", () => {
  it("ALL compares by the set it names when the pattern is ascending", () => {
    expect(matches('ESEARCH (TAG "a1") ALL 2:4', 'ESEARCH (TAG "a1") ALL 2,3,4')).to.equal(true);
    expect(matches('ESEARCH (TAG "a1") ALL 2,3,4', 'ESEARCH (TAG "a1") ALL 4:2')).to.equal(true);
    expect(matches('ESEARCH (TAG "a1") ALL 2:4', 'ESEARCH (TAG "a1") ALL 3,2,4')).to.equal(true);
    expect(matches('ESEARCH (TAG "a1") ALL 2:4', 'ESEARCH (TAG "a1") ALL 2:5')).to.equal(false);
    expect(matches('ESEARCH (TAG "a1") ALL 2:4', 'ESEARCH (TAG "a1") ALL 2,4')).to.equal(false);
    expect(matches('ESEARCH (TAG "a1") ALL 3', 'ESEARCH (TAG "a1") ALL 3:3')).to.equal(true);
  });
  it("ALL compares in order when the pattern is not ascending (ESORT)", () => {
    expect(matches('ESEARCH (TAG "s") ALL 3,1:2', 'ESEARCH (TAG "s") ALL 3,1,2')).to.equal(true);
    expect(matches('ESEARCH (TAG "s") ALL 3,1:2', 'ESEARCH (TAG "s") ALL 3,2:1')).to.equal(true);
    expect(matches('ESEARCH (TAG "s") ALL 3,1:2', 'ESEARCH (TAG "s") ALL 1:3')).to.equal(false);
    expect(matches('ESEARCH (TAG "s") ALL 3,1:2', 'ESEARCH (TAG "s") ALL 3,2,1')).to.equal(false);
  });
  it("return data items match in any order; a missing or extra item fails unless the pattern ends with ...", () => {
    expect(matches('ESEARCH (TAG "a") MIN 2 MAX 4 COUNT 3', 'ESEARCH (TAG "a") COUNT 3 MIN 2 MAX 4')).to.equal(true);
    expect(matches('ESEARCH (TAG "a") MIN 2 COUNT 3', 'ESEARCH (TAG "a") MIN 2 MAX 4 COUNT 3')).to.equal(false);
    expect(matches('ESEARCH (TAG "a") MIN 2 MAX 4 COUNT 3', 'ESEARCH (TAG "a") MIN 2 COUNT 3')).to.equal(false);
    expect(matches('ESEARCH (TAG "a") MIN 2 ...', 'ESEARCH (TAG "a") MIN 2 MODSEQ 17')).to.equal(true);
    expect(matches('ESEARCH (TAG "a") MIN 3', 'ESEARCH (TAG "a") MIN 2')).to.equal(false);
  });
  it("the UID indicator must be as the pattern writes it, the correlator only where the pattern has one", () => {
    expect(matches('ESEARCH (TAG "a") UID MIN 7', 'ESEARCH (TAG "a") UID MIN 7')).to.equal(true);
    expect(matches('ESEARCH (TAG "a") UID MIN 7', 'ESEARCH (TAG "a") MIN 7')).to.equal(false);
    expect(matches('ESEARCH (TAG "a") MIN 7', 'ESEARCH (TAG "a") UID MIN 7')).to.equal(false);
    expect(matches('ESEARCH (TAG "a") COUNT 0', 'ESEARCH (TAG "b") COUNT 0')).to.equal(false);
    expect(matches("ESEARCH (TAG $_) COUNT 0", 'ESEARCH (TAG "b") COUNT 0')).to.equal(true);
    expect(matches('ESEARCH (TAG "a") COUNT 0', "ESEARCH COUNT 0")).to.equal(false);
    expect(matches("ESEARCH COUNT 0", 'ESEARCH (TAG "a") COUNT 0')).to.equal(true);
    expect(matches("ESEARCH UID COUNT 0", 'ESEARCH (TAG "a") COUNT 0')).to.equal(false);
  });
  it("captures bind in return data", () => {
    const bindings = new Map<string, string>();
    const ok = new Matcher(() => undefined).response(A.pattern('ESEARCH (TAG "a") UID ALL $all COUNT $n').tokens, tokenize('ESEARCH (TAG "a") UID COUNT 2 ALL 5,9'), bindings);
    expect(ok).to.equal(true);
    expect(Object.fromEntries(bindings)).to.deep.equal({ all: "5,9", n: "2" });
  });
});
