// Parse rule files and directories. An unreadable path is an `io` error in `errors`, not an exception, and
// `toString()` renders an error as `file:line:column: severity[code]: message (in rule "Title")`.
import { join, relative } from 'node:path';
import { parseSigmaDirectory, parseSigmaFile } from '@tsigma/parser';

const fixtures = join(import.meta.dirname, '../test/fixtures');

// Two rules: the second document is an `action: repeat` of the first with another title and detection.
const file = await parseSigmaFile(join(fixtures, 'whoami-repeat.yml'));
console.log(file.rules.map((r) => r.title).join(', '));

// Every *.yml / *.yaml below the directory, in path order; a bad rule is reported and the others load.
const dir = await parseSigmaDirectory(join(fixtures, 'tree'));
console.log(`rules loaded: ${dir.rules.map((r) => r.title).join(', ')}`);
for (const e of dir.errors) console.log(`${relative(fixtures, e.file ?? '')}:${e.line}:${e.column} ${e.code} at ${e.path}`);

const missing = await parseSigmaFile(join(fixtures, 'no-such-rule.yml'));
console.log(missing.errors.map((e) => e.code).join(', '));
