import { describe, expect, it } from 'vitest';
import { SigmaParseError } from './errors.js';

describe('SigmaParseError', () => {
  it('renders file, position, severity, code and rule', () => {
    const e = new SigmaParseError('unknown_modifier', "unknown modifier 'contians' on field 'CommandLine'", {
      file: 'rules/x.yml',
      line: 9,
      column: 9,
      ruleTitle: 'Whoami',
    });
    expect(e.toString()).toBe(
      `rules/x.yml:9:9: error[unknown_modifier]: unknown modifier 'contians' on field 'CommandLine' (in rule "Whoami")`,
    );
    expect(e.severity).toBe('error');
    expect(e).toBeInstanceOf(Error);
  });

  it('leaves out unknown location parts', () => {
    expect(new SigmaParseError('io', 'cannot read', { file: 'a.yml' }).toString()).toBe('a.yml: error[io]: cannot read');
    expect(new SigmaParseError('invalid_timespan', 'bad').toString()).toBe('error[invalid_timespan]: bad');
    expect(new SigmaParseError('modifier_order', 'w', { line: 2, column: 3, severity: 'warning' }).toString()).toBe(
      '<input>:2:3: warning[modifier_order]: w',
    );
  });
});
