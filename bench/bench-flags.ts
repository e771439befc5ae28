/**
 * Flags of the bench scripts: node's parseArgs, strict, with `--help` and a one-line error.
 * Without it an unknown or misspelt flag ended a bench with parseArgs' stack trace (exit 1), and
 * no script said which flags it takes: now `--help` lists them with their defaults (exit 0) and a
 * bad flag prints `SCRIPT: message (see --help)` alone on stderr and exits 2, the class of a
 * usage error everywhere in gpuseg.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseCount } from '../src/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One flag's line of help: what it is (the default is added from the option). */
export type FlagHelp<O extends Options> = { [name in keyof O]: string };

/** The usage text: the script, what it does, then one line per flag with its default. */
export function benchUsage<O extends Options>(
  script: string,
  summary: string,
  options: O,
  help: FlagHelp<O>,
): string {
  const lines = Object.entries(options).map(([name, option]) => {
    const flag = option.type === 'string' ? `--${name} VALUE` : `--${name}`;
    const fallback =
      option.default === undefined || option.default === false || option.default === ''
        ? ''
        : ` (default: ${String(option.default)})`;
    return `  ${flag.padEnd(28)} ${help[name]}${fallback}`;
  });
  return [
    `usage: node dist/bench/${script}.js [flags]`,
    summary,
    '',
    ...lines,
    `  ${'--help'.padEnd(28)} this text`,
  ].join('\n');
}

/**
 * The values of `options` from the command line, as parseArgs gives them; `--help` prints the
 * usage and exits 0, an unknown flag or a missing value exits 2 with one line on stderr.
 */
export function benchFlags<O extends Options>(
  script: string,
  summary: string,
  options: O,
  help: FlagHelp<O>,
  argv: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: O; args: string[] }>>['values'] {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(benchUsage(script, summary, options, help));
    process.exit(0);
  }
  try {
    return parseArgs({ options, args: argv }).values;
  } catch (error) {
    // parseArgs adds a hint about positional arguments after the first sentence.
    return usageExit(script, (error as Error).message.split('. ')[0]);
  }
}

/** A count flag ('10M', '250k', '1e6') through parseCount, whose error becomes a usage exit. */
export function benchCount(script: string, value: string, flag: string): number {
  try {
    return parseCount(value, flag);
  } catch (error) {
    return usageExit(script, (error as Error).message);
  }
}

/** Ends the script with a usage error: one line on stderr, exit code 2. */
export function usageExit(script: string, message: string): never {
  console.error(`${script}: ${message.split('\n')[0]} (see --help)`);
  process.exit(2);
}
