/**
 * Redis URLs without their secrets, for messages. No imports, so the CLI can use it without
 * loading ioredis and BullMQ.
 */

/**
 * `url` with everything between `//` and the last `@` (the user-info, even when its password is
 * not percent-encoded and holds `@`, `/`, `#` or `?`) replaced by `user:***` — or by `***` when
 * there is no `:` (ioredis reads a lone user-info as a password). A user name before a `:` is
 * kept unless it holds characters that mean the split is uncertain. Pure.
 */
export function redactRedisUrl(url: string): string {
  const start = url.indexOf('//');
  const at = url.lastIndexOf('@');
  if (start === -1 || at < start) return url;
  const userInfo = url.slice(start + 2, at);
  const colon = userInfo.indexOf(':');
  const user = colon === -1 ? '' : userInfo.slice(0, colon);
  const shown = colon === -1 || /[@/#?]/.test(user) ? '***' : `${user}:***`;
  return `${url.slice(0, start + 2)}${shown}${url.slice(at)}`;
}
