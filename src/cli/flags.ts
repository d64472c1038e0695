/**
 * Go-style (pflag) flag conveniences on top of commander: boolean flags that
 * accept `--flag=false`, and the stability-level flag shared by commands.
 */
import { Command, Option } from 'commander';

export const STABILITY_LEVELS = ['experimental', 'public-preview', 'generally-available'] as const;
export type StabilityLevel = (typeof STABILITY_LEVELS)[number];

export function stabilityOption(): Option {
  return new Option('--stability.level <level>', 'Minimum stability level of features to enable')
    .choices(STABILITY_LEVELS)
    .default('generally-available');
}

/**
 * Declares a boolean flag with a default. pflag lets users write
 * `--flag=false`; commander cannot, so a hidden `--no-flag` is declared too
 * and `rewriteBoolAssignments` turns `--flag=<bool>` into one of the two.
 */
export function boolFlag(cmd: Command, name: string, defaultValue: boolean, description: string): Command {
  cmd.addOption(new Option(`--${name}`, description).default(defaultValue));
  return cmd.addOption(new Option(`--no-${name}`).hideHelp());
}

/** A command's parsed flag values. */
export type FlagValues = Record<string, string | boolean | number>;

/**
 * The parsed flags of `cmd` keyed by their names as written on the command
 * line (`server.http.listen-addr`). Commander's own `opts()` camel-cases
 * the part after each dash (`server.http.listenAddr`), which is easy to get
 * wrong with Alloy's dotted names.
 */
export function flagValues(cmd: Command): FlagValues {
  const values: FlagValues = {};
  for (const option of cmd.options) {
    if (option.negate || !option.long) continue;
    const value: unknown = cmd.getOptionValue(option.attributeName());
    if (value !== undefined) values[option.long.slice(2)] = value as string | boolean | number;
  }
  return values;
}

/** Spellings Go's strconv.ParseBool accepts. */
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Rewrites `--name=true|false` for boolean flags of `cmd` into `--name` or
 * `--no-name` (see `boolFlag`). Other arguments pass through untouched, so
 * commander still reports anything malformed.
 */
export function rewriteBoolAssignments(argv: readonly string[], cmd: Command): string[] {
  const boolNames = new Set(
    cmd.options.filter((o) => o.isBoolean() && !o.negate && o.long).map((o) => o.long!.slice(2)),
  );
  return argv.map((arg) => {
    const match = /^--([^=]+)=(.*)$/s.exec(arg);
    if (!match || !boolNames.has(match[1]!)) return arg;
    if (TRUE_WORDS.has(match[2]!)) return `--${match[1]}`;
    if (FALSE_WORDS.has(match[2]!)) return `--no-${match[1]}`;
    return arg;
  });
}
