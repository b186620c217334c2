/** A body whose fields can be read and written: a JSON object (dot paths) or a form (field names). */
export interface BodyFields {
  get(path: string): unknown;
  set(path: string, value: string): void;
  bytes(): Buffer;
}

/** Opens a JSON object body, or else reads it as application/x-www-form-urlencoded. */
export function openBody(body: Uint8Array): BodyFields {
  const text = Buffer.from(body).toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return {
      get: (path) => path.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), json),
      set: (path, value) => {
        const parts = path.split('.');
        let node = json;
        for (const part of parts.slice(0, -1)) {
          if (!node[part] || typeof node[part] !== 'object') node[part] = {};
          node = node[part] as Record<string, unknown>;
        }
        node[parts[parts.length - 1]!] = value;
      },
      bytes: () => Buffer.from(JSON.stringify(json)),
    };
  }
  const form = new URLSearchParams(text);
  return {
    get: (name) => form.get(name) ?? undefined,
    set: (name, value) => form.set(name, value),
    bytes: () => Buffer.from(form.toString()),
  };
}
