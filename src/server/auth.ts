/**
 * Bearer tokens with a role each (SPEC §12): `viewer` reads, `operator` also starts, signals and
 * controls runs, `author` also validates and deploys. Tokens are compared in constant time: both
 * sides are hashed to the same length, then compared with timingSafeEqual, against every token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { FlowlineError } from '../errors.js';

export const ROLES = ['viewer', 'operator', 'author'] as const;
export type Role = (typeof ROLES)[number];

/** One configured token. `name` says who calls, in the audit log (never the token itself). */
export interface ApiToken {
  readonly token: string;
  readonly role: Role;
  readonly name: string;
}

/** Whether `held` may do what needs `needed` (roles are cumulative). Pure. */
export function allows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** The tokens in a file or the FLOWLINE_TOKENS variable: a JSON array of {token, role, name}, or lines `token role name`. */
export class TokensInvalidError extends FlowlineError {
  constructor(where: string, message: string) {
    super('TokensInvalid', `${where}: ${message}`);
  }
}

/** Parses token text (JSON array, or one `token role name` per line; `#` comments). Throws TokensInvalidError. Pure. */
export function parseTokens(text: string, where: string): ApiToken[] {
  const trimmed = text.trim();
  const rows: unknown[] = trimmed.startsWith('[') ? parseJson(trimmed, where) : parseLines(trimmed);
  const tokens = rows.map((row, i) => checkToken(row, `${where} entry ${i + 1}`));
  const seen = new Set<string>();
  for (const token of tokens) {
    if (seen.has(token.token)) throw new TokensInvalidError(where, `the token of "${token.name}" is listed twice`);
    seen.add(token.token);
  }
  return tokens;
}

function parseJson(text: string, where: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new TokensInvalidError(where, 'not a JSON array of { "token", "role", "name" } objects');
}

function parseLines(text: string): unknown[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [token, role, ...name] = line.split(/\s+/);
      return { token, role, name: name.join(' ') };
    });
}

function checkToken(row: unknown, where: string): ApiToken {
  const { token, role, name } = (row ?? {}) as { token?: unknown; role?: unknown; name?: unknown };
  if (typeof token !== 'string' || token.length < 16) {
    throw new TokensInvalidError(where, 'a token must be a string of at least 16 characters (e.g. `openssl rand -hex 24`)');
  }
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new TokensInvalidError(where, `role must be one of ${ROLES.join(', ')}`);
  }
  if (typeof name !== 'string' || name.trim() === '') throw new TokensInvalidError(where, 'each token needs a name (who uses it, for the audit log)');
  return { token, role: role as Role, name: name.trim() };
}

/** Checks presented bearer tokens against the configured ones. */
export class TokenChecker {
  private readonly hashed: readonly { readonly digest: Buffer; readonly token: ApiToken }[];

  constructor(tokens: readonly ApiToken[]) {
    this.hashed = tokens.map((token) => ({ digest: sha256(token.token), token }));
  }

  /** The token matching `presented`, or undefined. Compares against every token, in constant time each. */
  find(presented: string): ApiToken | undefined {
    const digest = sha256(presented);
    let found: ApiToken | undefined;
    for (const candidate of this.hashed) {
      if (timingSafeEqual(candidate.digest, digest) && found === undefined) found = candidate.token;
    }
    return found;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of an `Authorization: Bearer …` header, or undefined. Pure. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
