/**
 * `alloy-ts eval [--format=alloy|json] EXPR`: evaluates one expression with
 * the standard library (environment from the process) and prints the value —
 * as Alloy syntax, exactly as Alloy's value builder renders it, or as JSON.
 */
import { Command, Option } from 'commander';
import { CliError, type CliIO } from './io.js';
import { flagValues } from './flags.js';
import { packageVersion } from '../version.js';

export function evalCommand(io: CliIO): Command {
  return new Command('eval')
    .summary('Evaluate an expression')
    .description('Evaluates EXPR with the standard library and prints the result.')
    .argument('<expr>', 'expression to evaluate')
    .addOption(new Option('--format <format>', 'Output format').choices(['alloy', 'json']).default('alloy'))
    // An expression may start with "-" (`-5 / 2`): commander would take it for an unknown option.
    .allowUnknownOption()
    .action(async (expr: string, _opts: unknown, self: Command) => {
      if (looksLikeOption(expr)) throw new CliError(`unknown option '${expr}'`);
      await evaluate(expr, String(flagValues(self)['format']), io);
    });
}

/** `-x`, `--name`, `--name=v`: a mistyped flag rather than an expression such as `-5`, `-(x)` or `-x.y * 2`. */
function looksLikeOption(arg: string): boolean {
  return /^--?[A-Za-z][\w.-]*(=.*)?$/s.test(arg);
}

async function evaluate(expr: string, format: string, io: CliIO): Promise<void> {
  const [{ evaluateExpressionText }, { renderAlloy, renderJson }, { setBuildVersion }] = await Promise.all([
    import('../lang/eval.js'),
    import('../lang/render.js'),
    import('../lang/stdlib/index.js'),
  ]);
  setBuildVersion(packageVersion());
  const result = evaluateExpressionText(expr);
  if (!('value' in result)) throw new CliError(result.message);
  io.stdout.write(`${format === 'json' ? renderJson(result.value) : renderAlloy(result.value)}\n`);
}
