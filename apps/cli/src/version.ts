// The tsigma version, read from this package's package.json (one directory above both src/ and dist/).
import { readFileSync } from 'node:fs';

/** The version in apps/cli/package.json. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
