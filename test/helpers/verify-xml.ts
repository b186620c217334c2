/**
 * A strict little XML reader for the JUnit tests: elements, attributes, text, entities. It
 * throws on anything malformed (unclosed or mismatched tags, bare '&' or '<', bad attributes),
 * so a document it reads is well-formed for the shapes a JUnit report uses.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (/[<]/.test(raw)) throw new Error(`bare "<" in ${JSON.stringify(raw.slice(0, 40))}`);
  return raw.replace(/&([^;]*);?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new Error(`bare "&" in ${JSON.stringify(raw.slice(0, 40))}`);
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity &${name};`);
    return value;
  });
}

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  let rest = source.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (rest.length) {
    const lt = rest.indexOf('<');
    const textPart = lt === -1 ? rest : rest.slice(0, lt);
    if (textPart) {
      if (!stack.length) {
        if (textPart.trim()) throw new Error('text outside the root element');
      } else stack[stack.length - 1]!.text += decode(textPart);
    }
    if (lt === -1) break;
    rest = rest.slice(lt);
    const gt = rest.indexOf('>');
    if (gt === -1) throw new Error('unterminated tag');
    const tag = rest.slice(1, gt);
    rest = rest.slice(gt + 1);
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^([A-Za-z_][\w.-]*)/.exec(body);
    if (!nameMatch) throw new Error(`bad tag <${tag}>`);
    const element: XmlElement = { name: nameMatch[1]!, attributes: {}, children: [], text: '' };
    let attrs = body.slice(nameMatch[1]!.length);
    while (attrs.trim()) {
      const m = /^\s+([A-Za-z_][\w.-]*)="([^"]*)"/.exec(attrs);
      if (!m) throw new Error(`bad attributes in <${tag}>`);
      if (m[1]! in element.attributes) throw new Error(`duplicate attribute ${m[1]}`);
      element.attributes[m[1]!] = decode(m[2]!);
      attrs = attrs.slice(m[0].length);
    }
    if (stack.length) stack[stack.length - 1]!.children.push(element);
    else if (root) throw new Error('more than one root element');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element with this name. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}
