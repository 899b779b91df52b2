// The bundled server's development certificate cache: a saved pair is
// handed to the next run's data directory, a pair that does not match, is
// close to expiry or is switched off by MAILCONFORM_NO_CACHE is not, and the
// private key is kept private.

import { expect } from "chai";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { saveDevCertificate, seedDevCertificate } from "../../cli/dev-certificate-cache.ts";
import { generateDevCertificate } from "../../reference-server/tls/certificate.ts";

describe("cli: dev certificate cache", () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "mc-devcert-"));
    env = { XDG_CACHE_HOME: path.join(root, "cache") };
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function dataDirWithPair(name: string, hostname = "mail.example.test"): Promise<{ dir: string; cert: string; key: string }> {
    const dir = path.join(root, name);
    const { cert, key } = await generateDevCertificate(hostname);
    await mkdir(path.join(dir, "tls"), { recursive: true });
    await writeFile(path.join(dir, "tls", "dev-cert.pem"), cert);
    await writeFile(path.join(dir, "tls", "dev-key.pem"), key);
    return { dir, cert, key };
  }

  it("seeds nothing from an empty cache, then hands a saved pair to the next data directory", async () => {
    const next = path.join(root, "next");
    expect(await seedDevCertificate(next, "mail.example.test", env)).to.equal(false);
    const first = await dataDirWithPair("first");
    await saveDevCertificate(first.dir, "mail.example.test", env);
    const saved = path.join(root, "cache", "mailconform", "dev-tls", "mail.example.test", "dev-key.pem");
    expect((await stat(saved)).mode & 0o777).to.equal(0o600);
    expect(await seedDevCertificate(next, "mail.example.test", env)).to.equal(true);
    expect(await readFile(path.join(next, "tls", "dev-cert.pem"), "utf8")).to.equal(first.cert);
    expect(await readFile(path.join(next, "tls", "dev-key.pem"), "utf8")).to.equal(first.key);
    // Another host name has a pair of its own.
    expect(await seedDevCertificate(path.join(root, "other"), "other.example.test", env)).to.equal(false);
  });

  it("refuses a pair whose halves do not match, or that expires within 30 days", async () => {
    const first = await dataDirWithPair("first");
    await saveDevCertificate(first.dir, "mail.example.test", env);
    const in824Days = Date.now() + 824 * 86_400_000;
    expect(await seedDevCertificate(path.join(root, "late"), "mail.example.test", env, in824Days)).to.equal(false);
    const second = await dataDirWithPair("second");
    await writeFile(path.join(root, "cache", "mailconform", "dev-tls", "mail.example.test", "dev-key.pem"), second.key);
    expect(await seedDevCertificate(path.join(root, "mixed"), "mail.example.test", env)).to.equal(false);
  });

  it("MAILCONFORM_NO_CACHE turns it off both ways", async () => {
    const first = await dataDirWithPair("first");
    const off = { ...env, MAILCONFORM_NO_CACHE: "1" };
    await saveDevCertificate(first.dir, "mail.example.test", off);
    expect(await seedDevCertificate(path.join(root, "next"), "mail.example.test", env)).to.equal(false);
    await saveDevCertificate(first.dir, "mail.example.test", env);
    expect(await seedDevCertificate(path.join(root, "next"), "mail.example.test", off)).to.equal(false);
  });
});
