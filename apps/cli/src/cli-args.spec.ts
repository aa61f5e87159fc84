import { parseCommandArgs, printable } from './cli-args';

describe('parseCommandArgs', () => {
  const options = {
    from: { type: 'string' },
    force: { type: 'boolean', default: false },
  } as const;

  it('returns the values of known options', () => {
    expect(parseCommandArgs(options, ['--from', 'x', '--force'])).toEqual({
      kind: 'run',
      values: { from: 'x', force: true },
    });
    expect(parseCommandArgs({}, [])).toEqual({ kind: 'run', values: {} });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--froce'], /Unknown option '--froce'/],
    [['stray'], /Unexpected argument 'stray'/],
    [['--from'], /--from/],
    [['--from', 'a', '--from', 'b'], /Option '--from' is given more than once/],
    [['--from=a', '--force', '--from', 'b'], /Option '--from' is given more than once/],
    [['--force', '--force'], /Option '--force' is given more than once/],
  ])('refuses %j instead of ignoring it', (args, problem) => {
    const parsed = parseCommandArgs(options, args);
    expect(parsed).toEqual({ kind: 'refused', problem: expect.stringMatching(problem) });
    // One line, without Node's advice about `--`.
    expect(parsed.kind === 'refused' && parsed.problem).not.toMatch(/\n|To specify/);
  });

  it('refuses any option of a command that takes none', () => {
    expect(parseCommandArgs({}, ['--bogus'])).toMatchObject({ kind: 'refused' });
  });

  it('never echoes a control character of an argument', () => {
    const parsed = parseCommandArgs({}, ['--\u001b[2Jx']);
    expect(parsed).toEqual({ kind: 'refused', problem: expect.stringContaining('\\u001b[2Jx') });
    expect(printable('a\u0007b\u009bc')).toBe('a\\u0007b\\u009bc');
  });

  it('asks for the usage with --help', () => {
    expect(parseCommandArgs(options, ['--help'])).toEqual({ kind: 'help' });
  });
});
