import { describe, expect, it } from 'vitest';
import { describeRuleLoadError } from './rule-load-errors.js';

describe('describeRuleLoadError', () => {
  it('puts the position first and names the rule once, at the end', () => {
    const text = describeRuleLoadError({
      file: 'rules/x.yml',
      line: 20,
      column: 9,
      title: 'Userdomain Variable Enumeration',
      code: 'unresolved_placeholder',
      severity: 'error',
      message:
        'rules/x.yml:20:9: rule "Userdomain Variable Enumeration" (/detection/selection/CommandLine|expand): placeholder in "%userdomain%" is not defined',
    });
    expect(text).toBe(
      'rules/x.yml:20:9: error[unresolved_placeholder]: /detection/selection/CommandLine|expand: placeholder in "%userdomain%" is not defined (rule "Userdomain Variable Enumeration" skipped)',
    );
  });

  it('says a warning keeps its rule, and works without a position', () => {
    expect(describeRuleLoadError({ file: 'r.yml', title: 'T', code: 'modifier_order', severity: 'warning', message: 'r.yml: order' })).toBe(
      'r.yml: warning[modifier_order]: order (rule "T")',
    );
  });
});
