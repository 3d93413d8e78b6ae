// Load rule files and directories into a RuntimeEngine. A load is all or nothing: one bad rule rejects it with a
// RuntimeError (`rule_load`) listing every problem, unless `skipInvalidRules` leaves the bad documents out.
import { join } from 'node:path';
import { RuntimeEngine, RuntimeError } from '@tsigma/runtime';

const fixtures = join(import.meta.dirname, '../test/fixtures');

// A directory (read recursively) and a file with a detection rule and a correlation over it, loaded as one set.
const engine = new RuntimeEngine({ rulesPath: [join(fixtures, 'rules'), join(fixtures, 'reload/brute-force.yml')] });
const stats = await engine.loadRules();
console.log(`${stats.files} files: ${stats.detectionRules} detection rules, ${stats.correlationRules} correlation rules`);

const rulesPath = [join(fixtures, 'rules'), join(fixtures, 'reload/broken.yml')];
try {
  await new RuntimeEngine({ rulesPath }).loadRules();
} catch (err) {
  if (!(err instanceof RuntimeError)) throw err;
  for (const issue of err.issues) console.log(`${err.code}: "${issue.title}" ${issue.code}`);
}

const lenient = await new RuntimeEngine({ rulesPath, skipInvalidRules: true }).loadRules();
console.log(`loaded ${lenient.detectionRules}, skipped ${lenient.skipped.map((s) => `"${s.title}"`).join(', ')}`);
