/**
 * `alloy-ts validate [flags] PATH`: checks a configuration without running
 * it. On any diagnostic (warnings included, as in Alloy) the pretty report
 * goes to stderr and the command fails with `validation failed`.
 *
 * The checks themselves are a `Validator` (src/runtime/validator/); the
 * CLI only loads the files, runs it and prints the report.
 */
import { Command, Option } from 'commander';
import type { Body } from '../lang/ast.js';
import { DiagnosticsError, boundDiagnostics, omittedDiagnostics, type Diagnostic } from '../lang/diag.js';
import { CliError, useColor, type CliIO } from './io.js';
import { boolFlag, flagValues, stabilityOption, type StabilityLevel } from './flags.js';
import { sourceConverter } from './convert.js';
import { loadConfigSources, type ConfigSource } from './sources.js';

export interface ValidateOptions {
  stabilityLevel: StabilityLevel;
  communityComponents: boolean;
  target: ValidationTarget;
}

/** `--target`: judge as alloy-ts (what it can run) or as Grafana Alloy would. */
export const VALIDATION_TARGETS = ['alloy-ts', 'alloy'] as const;
export type ValidationTarget = (typeof VALIDATION_TARGETS)[number];

/**
 * Validates all sources together as one configuration and returns every
 * diagnostic in report order. Throwing a non-diagnostic error reports
 * `validation failed: <message>`.
 */
export type Validator = (sources: readonly ConfigSource[], opts: ValidateOptions) => Promise<Diagnostic[]>;

interface ValidateFlags {
  format: 'text' | 'json';
  'stability.level': StabilityLevel;
  'config.format': string;
  'config.bypass-conversion-errors': boolean;
  'config.extra-args': string;
  'feature.community-components.enabled': boolean;
  target: ValidationTarget;
}

export function validateCommand(io: CliIO): Command {
  const cmd = new Command('validate')
    .summary('Validate a configuration file')
    .description('Validates the configuration at PATH: a file, or the *.alloy files of a directory.')
    .argument('<path>', 'configuration file or directory')
    .addOption(new Option('--format <format>', 'Output format of the report').choices(['text', 'json']).default('text'))
    .addOption(stabilityOption())
    .addOption(
      new Option('--target <target>', 'Judge as alloy-ts (components it does not implement are errors) or as Grafana Alloy would')
        .choices(VALIDATION_TARGETS)
        .default('alloy-ts'),
    )
    .option('--config.format <format>', 'The format of the source file', 'alloy');
  boolFlag(cmd, 'config.bypass-conversion-errors', false, 'Enable bypassing errors when converting');
  cmd.option('--config.extra-args <args>', 'Extra arguments for the converter', '');
  boolFlag(cmd, 'feature.community-components.enabled', false, 'Enable community components.');
  return cmd.action(async (target: string, _opts: unknown, self: Command) =>
    runValidate(target, flagValues(self) as unknown as ValidateFlags, io),
  );
}

async function runValidate(target: string, flags: ValidateFlags, io: CliIO): Promise<void> {
  const convert = await sourceConverter(flags['config.format'], flags['config.bypass-conversion-errors'], flags['config.extra-args']);
  const raw = await loadConfigSources(target, io);
  let sources: ConfigSource[];
  try {
    sources = convert ? convert(raw) : raw;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const validator = await loadDefaultValidator();
  const diagnostics = await runValidator(validator, sources, {
    stabilityLevel: flags['stability.level'],
    communityComponents: flags['feature.community-components.enabled'],
    target: flags.target,
  }, io);
  if (flags.format === 'json') io.stdout.write(diagnosticsJson(diagnostics));
  if (diagnostics.length === 0) return;
  if (flags.format === 'text') await printReport(diagnostics, sources, io);
  throw new CliError('validation failed');
}

async function runValidator(
  validator: Validator,
  sources: readonly ConfigSource[],
  opts: ValidateOptions,
  io: CliIO,
): Promise<Diagnostic[]> {
  try {
    return await validator(sources, opts);
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics;
    // Alloy prints this line itself before failing with the short message.
    io.stderr.write(`validation failed: ${err instanceof Error ? err.message : String(err)}\n`);
    throw new CliError('validation failed');
  }
}

/**
 * The validator used by the CLI: the full checks, with the built-in
 * components the sources name. Only their declarations are loaded (issue 20:
 * importing all of them was a third of validate's time); the sources are
 * parsed once more for that, which costs far less.
 */
async function loadDefaultValidator(): Promise<Validator> {
  const [{ validateSources }, { registryOfNames }, { parseFile }, { SourceFile }] = await Promise.all([
    import('../runtime/validator/index.js'),
    import('../components/catalog.js'),
    import('../lang/parser.js'),
    import('../lang/position.js'),
  ]);
  const blockNamesOf = (source: ConfigSource) => blockNames(parseFile(new SourceFile(source.name, source.bytes)).file.body);
  return async (sources, opts) => {
    const registry = await registryOfNames(sources.flatMap(blockNamesOf));
    return validateSources(sources, { registry, minStability: opts.stabilityLevel, target: opts.target, communityComponents: opts.communityComponents });
  };
}

/** The names of every block in `body`, at any depth: the components a config uses are among them. */
function blockNames(body: Body, out: string[] = []): string[] {
  for (const stmt of body) {
    if (stmt.kind !== 'Block') continue;
    out.push(stmt.name.join('.'));
    blockNames(stmt.body, out);
  }
  return out;
}

async function printReport(diagnostics: Diagnostic[], sources: readonly ConfigSource[], io: CliIO): Promise<void> {
  const [{ renderDiagnostics }, { loadDiagnosticNotes }] = await Promise.all([import('../lang/diag-printer.js'), import('./validate-notes.js')]);
  const files = new Map(sources.map((s) => [s.name, s.bytes]));
  // Notes from the schemas' descriptions follow Alloy's lines (validate-notes.ts).
  const note = await loadDiagnosticNotes(diagnostics, files);
  // Alloy ends the report with an extra blank line (it writes that one to
  // stdout; stderr keeps the report in one piece).
  io.stderr.write(renderDiagnostics(diagnostics, files, { color: useColor(io), note }) + '\n');
}

/**
 * The JSON report: one flat object per diagnostic, the shape CI annotation
 * tools take (`file`, 1-based `line`/`column`, inclusive end, severity, message).
 * Bounded like the text report: past the limit, one last entry without a
 * position says "(and N more diagnostics)".
 */
function diagnosticsJson(diagnostics: Diagnostic[]): string {
  const { listed, more } = boundDiagnostics(diagnostics);
  const list = [...listed, ...(more > 0 ? [omittedDiagnostics(more)] : [])].map((d) => {
    const end = d.end ?? d.start;
    return { file: d.start.file, line: d.start.line, column: d.start.column, endLine: end.line, endColumn: end.column, severity: d.severity, message: d.message };
  });
  return JSON.stringify(list, null, 2) + '\n';
}
