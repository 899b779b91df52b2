// readMetadataFile: the text of a small store file, null when it is missing,
// and any other failure (a directory in its place) raised, not hidden.

import { expect } from "chai";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { readMetadataFile } from "../../../reference-server/store/metadata-file.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

describe("store: metadata files", () => {
  let temp: TempRoot;

  beforeEach(async () => {
    temp = await makeTempRoot();
  });

  afterEach(async () => {
    await temp.remove();
  });

  it("reads a file's text in the encoding asked for, null when it does not exist", async () => {
    const file = path.join(temp.parent, "mailconform-special-use");
    expect(readMetadataFile(file, "latin1")).to.equal(null);
    await writeFile(file, Buffer.from([0x5c, 0x44, 0x72, 0x61, 0x66, 0x74, 0x73, 0x0a, 0xe9]));
    expect(readMetadataFile(file, "latin1")).to.equal("\\Drafts\n\u00e9");
    await writeFile(file, "Archive/2024 \u00e9t\u00e9\n");
    expect(readMetadataFile(file, "utf8")).to.equal("Archive/2024 \u00e9t\u00e9\n");
  });

  it("raises what is not a missing file", async () => {
    const dir = path.join(temp.parent, "subscriptions");
    await mkdir(dir);
    expect(() => readMetadataFile(dir, "utf8")).to.throw(/EISDIR/);
  });
});
