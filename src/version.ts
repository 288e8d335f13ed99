/** Flowline's own version, read once from the package's package.json (for `flowline --version` and `flowline_build_info`). */
import { readFileSync } from 'node:fs';

/**
 * The `version` field of package.json, found from this module's place in the package (src/ when
 * run through tsx, dist/ when built: both sit one level below it). Side effect: reads one file at
 * import time.
 */
export const flowlineVersion: string = readPackageVersion();

function readPackageVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
