// Fails when a package depends on a workspace package the layering in STYLE.md forbids
// (dependencies point down, never up).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const allowed = {
  '@tsigma/parser': ['yaml'],
  '@tsigma/eval': ['@tsigma/parser', 're2js', 'yaml'],
  '@tsigma/lint': ['@tsigma/parser', '@tsigma/eval', 'yaml'],
  '@tsigma/evtx': [],
  '@tsigma/sources': ['@tsigma/eval', '@tsigma/runtime', 'yaml'],
  '@tsigma/runtime': ['@tsigma/parser', '@tsigma/eval', '@tsigma/evtx'],
  '@tsigma/enrichment': ['@tsigma/eval', '@tsigma/runtime', '@tsigma/sources', 'yaml'],
  '@tsigma/alert-pipeline': ['@tsigma/eval', '@tsigma/runtime', 'yaml'],
  '@tsigma/io-nats': [
    '@tsigma/eval',
    '@tsigma/runtime',
    '@tsigma/sources',
    '@nats-io/transport-node',
    '@nats-io/jetstream',
    '@nats-io/nats-core',
  ],
};
// Third-party runtime libraries a package may add beyond the table (chosen per package in its issue).
const extraThirdParty = {
  '@tsigma/runtime': ['*'],
  '@tsigma/sources': ['*'],
  '@tsigma/enrichment': ['*'],
  '@tsigma/alert-pipeline': ['*'],
};

const problems = [];
for (const dir of readdirSync('packages')) {
  const file = join('packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const rule = allowed[pkg.name];
  if (!rule) {
    problems.push(`${file}: ${pkg.name} is not in the layering table`);
    continue;
  }
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const thirdPartyOk = !dep.startsWith('@tsigma/') && (extraThirdParty[pkg.name] ?? []).includes('*');
    if (!rule.includes(dep) && !thirdPartyOk) problems.push(`${file}: ${pkg.name} must not depend on ${dep}`);
  }
  if (pkg.dependencies?.['prom-client']) problems.push(`${file}: prom-client belongs to the daemon only`);
}
// Apps are thin faces; prom-client is the daemon's alone (STYLE.md).
for (const dir of existsSync('apps') ? readdirSync('apps') : []) {
  const file = join('apps', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.dependencies?.['prom-client'] && pkg.name !== '@tsigma/daemon') problems.push(`${file}: prom-client belongs to the daemon only`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('boundaries: ok');
