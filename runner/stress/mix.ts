// The stress plan's inputs as data: which protocols, their weights
// ("smtp=3,pop3=1,imap=2"), and the seeded random source each client draws
// its next session from, so a seed replays the same choices. Pure.
// Standards: none (load generation).

export type StressProtocol = "smtp" | "pop3" | "imap";
export const STRESS_PROTOCOLS: readonly StressProtocol[] = ["smtp", "pop3", "imap"];

export type Mix = Record<StressProtocol, number>;

export class MixError extends Error {}

/** Parse "smtp=3,pop3=1,imap=2"; protocols left out weigh 0. */
export function parseMix(text: string): Mix {
  const mix: Mix = { smtp: 0, pop3: 0, imap: 0 };
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^(smtp|pop3|imap)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new MixError(`--mix: expected PROTOCOL=WEIGHT (smtp, pop3, imap), got "${part}"`);
    mix[m[1] as StressProtocol] = Number(m[2]);
  }
  return mix;
}

export function parseProtocols(text: string): StressProtocol[] {
  const list = text.split(",").map((p) => p.trim().toLowerCase()).filter((p) => p !== "");
  for (const p of list) if (!STRESS_PROTOCOLS.includes(p as StressProtocol)) throw new MixError(`--protocols: unknown protocol "${p}" (smtp, pop3, imap)`);
  if (list.length === 0) throw new MixError("--protocols: name at least one of smtp, pop3, imap");
  return [...new Set(list)] as StressProtocol[];
}

/** The mix restricted to `protocols`; a protocol with no weight given gets 1. Throws when nothing is left to run. */
export function effectiveMix(protocols: readonly StressProtocol[], mix: Mix | undefined): Mix {
  const out: Mix = { smtp: 0, pop3: 0, imap: 0 };
  for (const p of protocols) out[p] = mix === undefined ? 1 : mix[p];
  if (protocols.every((p) => out[p] === 0)) throw new MixError("--mix gives every selected protocol weight 0");
  return out;
}

/** mulberry32: a small, fast, seedable generator; quality enough for choosing sessions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A weighted choice of protocol. */
export function pickProtocol(mix: Mix, random: () => number): StressProtocol {
  const total = mix.smtp + mix.pop3 + mix.imap;
  let r = random() * total;
  for (const p of STRESS_PROTOCOLS) {
    if (mix[p] === 0) continue;
    if (r < mix[p]) return p;
    r -= mix[p];
  }
  return STRESS_PROTOCOLS.filter((p) => mix[p] > 0).at(-1)!;
}
