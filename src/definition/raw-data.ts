/** Navigating raw (not yet validated) document data by JSON pointer, never touching prototypes. Pure. */

/** A plain map (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property read that never reaches the prototype (`__proto__` stays data). */
export function own(value: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** Escapes one JSON-pointer token (RFC 6901). */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Splits a JSON pointer into unescaped tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Appends a token to a pointer. */
export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${typeof token === 'number' ? token : escapeToken(token)}`;
}

/** The pointer `levels` tokens above `pointer`. */
export function ancestorPointer(pointer: string, levels: number): string {
  if (levels <= 0) return pointer;
  const tokens = pointer.split('/');
  return tokens.slice(0, Math.max(1, tokens.length - levels)).join('/');
}

/** The value at a JSON pointer (undefined when absent). */
export function valueAt(document: unknown, pointer: string): unknown {
  let node: unknown = document;
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isRecord(node)) node = own(node, token);
    else return undefined;
  }
  return node;
}

/** The last token of a pointer ('' for the root). */
export function lastToken(pointer: string): string {
  const tokens = pointerTokens(pointer);
  return tokens.length ? tokens[tokens.length - 1] : '';
}
