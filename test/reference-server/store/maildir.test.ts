// listMessageFiles: which files of a Maildir are messages, and which one
// counts when a base name shows up twice (only a foreign writer can do that).

import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { listMessageFiles } from "../../../reference-server/store/maildir.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

describe("store: Maildir listing", () => {
  let temp: TempRoot;

  beforeEach(async () => {
    temp = await makeTempRoot();
    for (const sub of ["tmp", "new", "cur"]) await mkdir(path.join(temp.root, sub), { recursive: true });
  });

  afterEach(async () => {
    await temp.remove();
  });

  for (const synchronously of [false, true]) {
    it(`lists new/ and cur/ by base name; a base in both is the cur/ one (${synchronously ? "synchronous" : "asynchronous"} reads)`, async () => {
      const put = (sub: string, name: string) => writeFile(path.join(temp.root, sub, name), "x");
      await put("new", "1.a.host");
      await put("new", "2.b.host");
      await put("cur", "2.b.host:2,S");
      await put("cur", "3.c.host:2,FS");
      await put("new", ".hidden");
      await put("tmp", "4.d.host");
      const found = await listMessageFiles(temp.root, synchronously);
      expect(Object.fromEntries(found)).to.deep.equal({
        "1.a.host": { sub: "new", file: "1.a.host", info: "" },
        "2.b.host": { sub: "cur", file: "2.b.host:2,S", info: "S" },
        "3.c.host": { sub: "cur", file: "3.c.host:2,FS", info: "FS" },
      });
    });
  }
});
