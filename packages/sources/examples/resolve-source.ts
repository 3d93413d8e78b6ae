// Resolve one declaration directly: fetch, parse, extract, then the on_error policy when the feed fails.
import { DefaultSourceResolver, SourceCache, SourceError, validateSourceDeclarations } from '@tsigma/sources';

const [source] = validateSourceDeclarations(
  [
    {
      id: 'owners',
      type: 'command',
      command: [process.execPath, '-e', 'console.log("ip,owner\\n10.0.0.1,alice\\n10.0.0.2,bob")'],
      format: 'csv',
      extract: { type: 'jsonpath', expr: '$[*].owner' },
    },
  ],
  { kind: 'file', path: 'sources/owners.yml' },
);
if (source === undefined) throw new Error('no source');

const resolver = new DefaultSourceResolver({ cache: await SourceCache.open() });
const first = await resolver.resolve(source);
console.log(`${first.origin}: ${JSON.stringify(first.data)}`);

// The same source with a command that fails: use_cached answers with the last good value.
const broken = { ...source, command: [process.execPath, '-e', 'process.exit(2)'] };
const second = await resolver.resolve(broken);
console.log(`${second.origin}: ${JSON.stringify(second.data)}`);

try {
  await resolver.resolve({ ...broken, onError: 'fail' });
} catch (err) {
  if (!(err instanceof SourceError)) throw err;
  console.log(`${err.kind}: ${err.message}`);
}
