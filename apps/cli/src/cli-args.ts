import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Strict<T extends Options> = {
  args: string[];
  options: T;
  strict: true;
  allowPositionals: false;
};
export type CommandValues<T extends Options> = ReturnType<typeof parseArgs<Strict<T>>>['values'];

export type ParsedCommand<T extends Options> =
  | { kind: 'run'; values: CommandValues<T> }
  | { kind: 'help' }
  | { kind: 'refused'; problem: string };

/** Control characters (an ESC among them) shown as escapes: an argument never drives the terminal. */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A command's arguments, strictly: an unknown option, an option without its value, an option
 * given twice or a stray positional argument is refused, never ignored (a mistyped `--froce`
 * must not run without it, and of `--email a --email b` neither is silently the one).
 */
export function parseCommandArgs<T extends Options>(
  options: T,
  args: string[] = process.argv.slice(2),
): ParsedCommand<T> {
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  try {
    const { values, tokens } = parseArgs<Strict<T> & { tokens: true }>({
      args,
      options,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
    const seen = new Set<string>();
    for (const token of tokens) {
      if (token.kind !== 'option' || options[token.name]?.multiple) continue;
      if (seen.has(token.name))
        return { kind: 'refused', problem: `Option '--${token.name}' is given more than once` };
      seen.add(token.name);
    }
    return { kind: 'run', values };
  } catch (error) {
    // Node's message goes on to explain `--`; its first sentence names the argument.
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'refused', problem: printable(message.split('. To specify')[0] ?? message) };
  }
}

/**
 * parseCommandArgs for a command's entry point: on a refusal, one line naming the argument and
 * the usage line on stderr, exit 2; `--help` prints the usage and exits 0.
 */
export function commandArgsOrExit<T extends Options>(
  command: string,
  usage: string,
  options: T,
  args: string[] = process.argv.slice(2),
): CommandValues<T> {
  const parsed = parseCommandArgs(options, args);
  if (parsed.kind === 'run') return parsed.values;
  if (parsed.kind === 'help') {
    process.stdout.write(`usage: ${usage}\n`);
    process.exit(0);
  }
  process.stderr.write(`${command}: ${parsed.problem}\nusage: ${usage}\n`);
  process.exit(2);
}
