import { describe, expect, it } from 'vitest';
import { HelpRequested, parseCommandArgs, useColor } from './args.js';

describe('useColor', () => {
  it('colours with always, never with never, and on auto only on a TTY without NO_COLOR', () => {
    expect(useColor('always', {}, {})).toBe(true);
    expect(useColor('never', { isTTY: true }, {})).toBe(false);
    expect(useColor('auto', { isTTY: true }, {})).toBe(true);
    expect(useColor('auto', { isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor('auto', { isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColor('auto', {}, {})).toBe(false);
  });
});

describe('parseCommandArgs', () => {
  const options = { fix: { type: 'boolean' }, 'fail-level': { type: 'string' } } as const;

  it('asks for help on --help or -h before any other check, but not after --', () => {
    expect(() => parseCommandArgs(['--nope', '--help'], options)).toThrow(HelpRequested);
    expect(() => parseCommandArgs(['-h'], options)).toThrow(HelpRequested);
    expect(parseCommandArgs(['--', '--help'], options).positionals).toEqual(['--help']);
  });

  it('suggests the closest option and the closest value', () => {
    expect(() => parseCommandArgs(['--fxi'], options)).toThrow('unknown option --fxi; did you mean --fix?');
    expect(() => parseCommandArgs(['--colr', 'never'], options)).toThrow('did you mean --color?');
    expect(() => parseCommandArgs(['--color', 'alway'], options)).toThrow(
      '--color must be one of auto, always, never, not "alway"; did you mean always?',
    );
  });
});
