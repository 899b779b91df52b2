// User and mailbox names: what may never reach the disk (anything that could
// leave the user's directory), and the Maildir++ mapping in both directions.

import { expect } from "chai";
import { readdir } from "node:fs/promises";
import {
  canonicalMailboxName,
  checkUserName,
  folderDirName,
  mailboxNameOfDir,
  type HierarchyDelimiter,
} from "../../../reference-server/store/names.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { InvalidName } from "../../../reference-server/store/types.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

async function rejection(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}

const HOSTILE_USERS = ["", ".", "..", "../bob", "bob/..", "a/b", "/etc", "a\u0000b", ".hidden", "a\\b", "x".repeat(256), "é"];
const HOSTILE_MAILBOXES: [string, HierarchyDelimiter][] = [
  ["", "/"],
  ["/etc/passwd", "/"],
  ["../bob", "/"],
  ["a/../../bob", "/"],
  ["a/./b", "/"],
  ["a//b", "/"],
  ["a/", "/"],
  ["..", "."],
  [".hidden", "."],
  ["a..b", "."],
  ["a\u0000b", "/"],
  ["a\nb", "/"],
  ["x".repeat(300), "/"],
];

describe("store: names", () => {
  describe("user names", () => {
    for (const user of ["alice", "bob.smith", "carol+tag@example.org", "x_1-2=3", "x".repeat(255)]) {
      it(`accepts ${JSON.stringify(user.slice(0, 20))}`, () => {
        expect(checkUserName(user)).to.equal(user);
      });
    }
    for (const user of HOSTILE_USERS) {
      it(`rejects ${JSON.stringify(user.slice(0, 20))}`, () => {
        expect(() => checkUserName(user)).to.throw(InvalidName);
      });
    }
  });

  describe("mailbox names", () => {
    for (const [name, delimiter] of HOSTILE_MAILBOXES) {
      it(`rejects ${JSON.stringify(name.slice(0, 20))} with delimiter "${delimiter}"`, () => {
        expect(() => folderDirName(name, delimiter)).to.throw(InvalidName);
      });
    }

    const ROUND_TRIPS: [string, HierarchyDelimiter, string][] = [
      ["Archive/2024", "/", ".Archive.2024"],
      ["Archive.2024", ".", ".Archive.2024"],
      ["v1.2/notes", "/", ".v1%2E2.notes"],
      ["a/b", ".", ".a%2Fb"],
      ["100%", "/", ".100%25"],
      ["Entwürfe", "/", ".Entwürfe"],
      ["inbox/Sub", "/", ".INBOX.Sub"],
    ];
    for (const [name, delimiter, dir] of ROUND_TRIPS) {
      it(`maps ${JSON.stringify(name)} ("${delimiter}") to ${dir} and back`, () => {
        expect(folderDirName(name, delimiter)).to.equal(dir);
        expect(mailboxNameOfDir(dir, delimiter)).to.equal(canonicalMailboxName(name, delimiter));
      });
    }

    it("maps INBOX in any case to the Maildir itself, and never lists .INBOX as a folder", () => {
      expect(folderDirName("iNbOx", "/")).to.equal("");
      expect(mailboxNameOfDir(".INBOX", "/")).to.equal(null);
      expect(mailboxNameOfDir(".", "/")).to.equal(null);
      expect(mailboxNameOfDir("..", "/")).to.equal(null);
    });
  });

  describe("through the store", () => {
    let temp: TempRoot;
    beforeEach(async () => {
      temp = await makeTempRoot();
    });
    afterEach(async () => {
      await temp.remove();
    });

    it("refuses every escape attempt with InvalidName and writes nothing outside the root", async () => {
      const store = await openMaildirStore(temp.root);
      await store.deliver("alice", Buffer.from("x\r\n"));
      for (const user of HOSTILE_USERS) {
        expect(await rejection(() => store.deliver(user, Buffer.from("x"))), user).to.be.instanceOf(InvalidName);
        expect(await rejection(() => store.mailbox(user, "INBOX")), user).to.be.instanceOf(InvalidName);
        expect(await rejection(() => store.listMailboxes(user)), user).to.be.instanceOf(InvalidName);
        expect(() => store.tryLockMaildrop(user), user).to.throw(InvalidName);
      }
      for (const [name] of HOSTILE_MAILBOXES.filter(([, d]) => d === "/")) {
        expect(await rejection(() => store.mailbox("alice", name)), name).to.be.instanceOf(InvalidName);
        expect(await rejection(() => store.createMailbox("alice", name)), name).to.be.instanceOf(InvalidName);
        expect(await rejection(() => store.deleteMailbox("alice", name)), name).to.be.instanceOf(InvalidName);
        expect(await rejection(() => store.renameMailbox("alice", "INBOX", name)), name).to.be.instanceOf(InvalidName);
        expect(await rejection(() => store.subscribe("alice", name)), name).to.be.instanceOf(InvalidName);
      }
      expect(await readdir(temp.parent)).to.deep.equal(["data"]);
      expect(await readdir(temp.root)).to.deep.equal(["alice"]);
    });
  });
});
