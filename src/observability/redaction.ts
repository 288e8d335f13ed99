/**
 * Masking of sensitive values (pure): JSON paths like `input.card.number`, `vars.ssn` or
 * `steps.pay.output.token`, applied to payloads before they are logged and to `describe`/`history`
 * views; values found at those paths are also scrubbed wherever else they were copied to.
 */

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

/** A redact path split into segments; `*` matches any key or index, `**` any number of levels (zero included). */
export type PathSegments = readonly string[];

/**
 * Splits `a.b[0].c`, `a["odd key"].b`, `a[*]` into segments; a leading JSONPath root (`$.a.b`, as
 * flow documents write them) is accepted and dropped. Pure.
 * Returns undefined for a malformed path (empty segment, unclosed bracket, the root alone).
 */
export function parseRedactPath(rawPath: string): PathSegments | undefined {
  if (rawPath === '$') return undefined;
  const path = rawPath.startsWith('$.') ? rawPath.slice(2) : rawPath.startsWith('$[') ? rawPath.slice(1) : rawPath;
  const segments: string[] = [];
  let i = 0;
  let expectSegment = true;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      if (expectSegment) return undefined;
      expectSegment = true;
      i += 1;
    } else if (ch === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return undefined;
      let inner = path.slice(i + 1, close).trim();
      const quoted = /^(["'])(.*)\1$/.exec(inner);
      if (quoted) inner = quoted[2];
      else if (!/^(\d+|\*)$/.test(inner)) return undefined;
      segments.push(inner);
      expectSegment = false;
      i = close + 1;
    } else {
      if (!expectSegment) return undefined;
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end += 1;
      segments.push(path.slice(i, end));
      expectSegment = false;
      i = end;
    }
  }
  return segments.length > 0 && !expectSegment ? segments : undefined;
}

/** How deep a `**` reaches in pino's static redaction (pino has no deep wildcard: `**` becomes 0…4 `*`). */
export const PINO_DEEP_WILDCARD_LEVELS = 4;

/** The path in pino's `redact` syntax; a `**` segment expands to several paths (0…4 levels). Pure. */
export function toPinoPaths(segments: PathSegments): string[] {
  const at = segments.indexOf('**');
  if (at < 0) return [toPinoPath(segments)];
  const out = new Set<string>();
  for (let levels = 0; levels <= PINO_DEEP_WILDCARD_LEVELS; levels++) {
    const expanded = [...segments.slice(0, at), ...Array<string>(levels).fill('*'), ...segments.slice(at + 1)];
    if (expanded.length > 0) for (const path of toPinoPaths(expanded)) out.add(path);
  }
  return [...out];
}

/** The same path in pino's `redact` syntax (`a.b["odd key"][*]`), for paths without `**`. Pure. */
export function toPinoPath(segments: PathSegments): string {
  return segments
    .map((segment, index) => {
      if (segment === '*') return index === 0 ? '*' : '.*';
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

/**
 * A copy of `value` in which everything at any of `paths` (relative to `value`) is replaced by
 * `censor`. Values are never mutated; paths that do not exist are ignored. Pure.
 * When `found` is given, every replaced value is pushed onto it (to scrub its copies elsewhere).
 */
export function maskPaths(value: unknown, paths: readonly (string | PathSegments)[], censor: unknown = REDACTED, found?: unknown[]): unknown {
  let result = value;
  for (const path of paths) {
    const segments = typeof path === 'string' ? parseRedactPath(path) : path;
    if (segments && segments.length > 0) result = maskAt(result, segments, 0, censor, found);
  }
  return result;
}

function maskAt(value: unknown, segments: PathSegments, depth: number, censor: unknown, found?: unknown[]): unknown {
  if (depth === segments.length) {
    found?.push(value);
    return censor;
  }
  const segment = segments[depth];
  if (segment === '**') {
    // Zero levels here, then the same `**` one level further down, in every child.
    let result = maskAt(value, segments, depth + 1, censor, found);
    if (typeof result !== 'object' || result === null) return result;
    const deeper = [...segments.slice(0, depth), '*', ...segments.slice(depth)];
    result = maskAt(result, deeper, depth, censor, found);
    return result;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    if (segment !== '*' && !/^\d+$/.test(segment)) return value;
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      if (segment !== '*' && Number(segment) !== index) return;
      const next = maskAt(item, segments, depth + 1, censor, found);
      if (next !== item) (copy ??= [...value])[index] = next;
    });
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of segment === '*' ? Object.keys(record) : Object.hasOwn(record, segment) ? [segment] : []) {
    const next = maskAt(record[key], segments, depth + 1, censor, found);
    if (next !== record[key]) (copy ??= { ...record })[key] = next;
  }
  return copy ?? value;
}

/** Shortest string treated as a secret to scrub elsewhere (shorter ones would mask innocent text). */
const MIN_SECRET_LENGTH = 4;

/**
 * The string and number leaves of `values` worth scrubbing elsewhere: strings of at least 4
 * characters, numbers of at least 4 digits. Pure.
 */
export function secretLeaves(values: readonly unknown[]): string[] {
  const out = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 32) return;
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) out.add(value);
    else if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) >= 1000) out.add(String(value));
    else if (Array.isArray(value)) value.forEach((item) => visit(item, depth + 1));
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach((item) => visit(item, depth + 1));
  };
  values.forEach((value) => visit(value, 0));
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * A copy of `value` with every occurrence of a secret replaced: a string equal to or containing
 * one (e.g. a template `"card ${…}"`) and a number equal to one. Pure.
 */
export function scrubSecrets(value: unknown, secrets: readonly string[], censor = REDACTED): unknown {
  if (secrets.length === 0) return value;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      let text = node;
      for (const secret of secrets) if (text.includes(secret)) text = text.split(secret).join(censor);
      return text;
    }
    if (typeof node === 'number') return secrets.includes(String(node)) ? censor : node;
    if (Array.isArray(node)) {
      const next = node.map(visit);
      return next.some((item, index) => item !== node[index]) ? next : node;
    }
    if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(record)) {
        const next = visit(item);
        if (next !== item) (copy ??= { ...record })[key] = next;
      }
      return copy ?? node;
    }
    return node;
  };
  return visit(value);
}
