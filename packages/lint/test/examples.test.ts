// Runs every file of examples/ (the source of the README's code blocks, see scripts/check-readme-examples.mjs)
// and checks what it prints, so a README snippet that stops working fails here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversEveryExample, printed } from '../../../test/examples.js';

describe('examples', () => {
  coversEveryExample(join(import.meta.dirname, '../examples'), ['lint-text.ts', 'lint-directory.ts']);

  it('lint-text.ts: locates the findings and fixes them', async () => {
    expect(await printed(() => import('../examples/lint-text.js'))).toEqual([
      'rules/any.yml:7:5 warning[duplicate_tags] /tags/1 (fixable)',
      'rules/any.yml:9:12 warning[logsource_value_not_lowercase] /logsource/product (fixable)',
      'rules/any.yml:12:12 warning[wildcard_only_value] /detection/selection/Image (fixable)',
      '  product: windows |     Image|exists: true',
      'after --fix: 0 finding(s)',
    ]);
  });

  it('lint-directory.ts: applies the configuration and renders text and SARIF', async () => {
    expect(await printed(() => import('../examples/lint-directory.js'))).toEqual([
      [
        'rules/whoami.yml',
        '  warning[missing_description]: the rule has no description',
        '    --> rules/whoami.yml:1:1',
        "  error[condition_references_unknown]: condition uses 'other', which names no detection (known: sel)",
        '    --> rules/whoami.yml:9:21',
        'Checked 1 file(s): 0 passed, 1 failed (1 error(s), 1 warning(s), 0 info(s))',
      ].join('\n'),
      'failed: true',
      'SARIF results: missing_description, condition_references_unknown',
    ]);
  });
});
