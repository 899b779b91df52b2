// A strict little XML 1.0 well-formedness check for the JUnit specs (no XML
// parser is a dependency): characters allowed by §2.2, tags balanced, names
// and quoted attributes well-formed, no raw `<` or `&` outside markup and
// references. Returns the elements, so specs can look at the structure.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ILLEGAL = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(Number(ref.slice(1)));
    return ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[ref]!;
  });
}

function checkText(text: string, where: number): void {
  if (/&(?!(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bare & near offset ${where}`);
  if (text.includes("<")) throw new Error(`raw < near offset ${where}`);
}

export function parseXml(xml: string): XmlElement {
  const bad = ILLEGAL.exec(xml);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16)} not allowed in XML 1.0 at offset ${bad.index}`);
  let i = 0;
  if (xml.startsWith("<?xml")) i = xml.indexOf("?>") + 2;
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    checkText(text, i);
    stack.at(-1)!.text += decode(text);
    if (lt < 0) break;
    const gt = xml.indexOf(">", lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const open = stack.pop()!;
      if (open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${open.name}> at ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith("/");
    let rest = selfClosing ? tag.slice(0, -1) : tag;
    const name = NAME.exec(rest)?.[0];
    if (!name) throw new Error(`bad tag name at ${lt}`);
    rest = rest.slice(name.length);
    const el: XmlElement = { name, attrs: {}, children: [], text: "" };
    const attrRe = /^\s+([A-Za-z_:][\w.:-]*)="([^"]*)"/;
    for (let m = attrRe.exec(rest); m; m = attrRe.exec(rest)) {
      checkText(m[2]!, lt);
      if (m[1]! in el.attrs) throw new Error(`duplicate attribute ${m[1]} at ${lt}`);
      el.attrs[m[1]!] = decode(m[2]!);
      rest = rest.slice(m[0].length);
    }
    if (rest.trim() !== "") throw new Error(`bad attributes in <${name}> at ${lt}: ${rest}`);
    stack.at(-1)!.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1) throw new Error("not exactly one root element");
  return root.children[0]!;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => findAll(c, name))];
}
