/**
 * `alloy-ts convert`: a Promtail or Prometheus config to Alloy, with Alloy's
 * flags, report and exit status (grafana/alloy internal/alloycli/
 * cmd_convert.go), and the in-memory conversion behind `run` and `validate`
 * `--config.format` (cmd_run.go loadSourceFiles).
 */
import { Command } from 'commander';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { RawConfigFile } from '../runtime/sources.js';
import { CliError, fsCall, readAll, resolvePath, type CliIO } from './io.js';

const FORMATS = ['otelcol', 'prometheus', 'promtail', 'static'];
const SUPPORTED_HERE = ['prometheus', 'promtail'];

interface ConvertFlags {
  output?: string;
  report?: string;
  sourceFormat?: string;
  bypassErrors: boolean;
  extraArgs: string;
}

export function convertCommand(io: CliIO): Command {
  return new Command('convert')
    .summary('Convert a supported config file to Alloy')
    .description(
      'Translates a Promtail or Prometheus config file into an Alloy configuration.\n\n' +
        'Without a file argument, or with "-", convert reads standard input.\n' +
        '-o writes the result to a file instead of stdout; -r writes a diagnostic report;\n' +
        '-b writes the config even when the conversion reported errors (not critical ones).',
    )
    .argument('[file]', 'file to convert, or - for stdin', '-')
    .option('-o, --output <file>', 'The filepath and filename where the output is written.')
    .option('-r, --report <file>', 'The filepath and filename where the report is written.')
    .option('-f, --source-format <format>', `The format of the source file. Supported formats: ${FORMATS.map((f) => JSON.stringify(f)).join(', ')}.`)
    .option('-b, --bypass-errors', 'Enable bypassing errors when converting', false)
    .option('-e, --extra-args <args>', 'Extra arguments from the original format used by the converter.', '')
    .action(async (file: string, flags: ConvertFlags) => runConvert(file, flags, io));
}

async function runConvert(target: string, flags: ConvertFlags, io: CliIO): Promise<void> {
  if (!flags.sourceFormat) throw new CliError('source-format is a required flag');
  const input = await readInput(target, io);
  const { convertConfig } = await import('../convert/index.js');
  const { diagnosticText, reportText } = await import('../convert/diag.js');
  const { output, diagnostics } = convertConfig(input, flags.sourceFormat, extraArgs(flags.extraArgs));
  if (flags.report) await fsCall(flags.report, writeFile(resolvePath(io, flags.report), reportText(diagnostics.items, flags.bypassErrors)));
  if (diagnostics.has('Critical') || (!flags.bypassErrors && diagnostics.has('Error'))) {
    for (const d of diagnostics.items) io.stderr.write(`${diagnosticText(d)}\n`);
    throw new CliError('encountered errors during formatting');
  }
  const text = output ?? '';
  if (flags.output) await fsCall(flags.output, writeFile(resolvePath(io, flags.output), text));
  else io.stdout.write(text);
}

async function readInput(target: string, io: CliIO): Promise<string> {
  if (target === '-') return (await readAll(io.stdin)).toString('utf8');
  const absolute = resolvePath(io, target);
  if ((await fsCall(target, stat(absolute))).isDirectory()) throw new CliError('cannot convert a directory');
  return (await fsCall(target, readFile(absolute))).toString('utf8');
}

function extraArgs(text: string): string[] {
  return text.trim() === '' ? [] : text.trim().split(/\s+/);
}

/**
 * The source transformation for `run`/`validate --config.format=F`: a single
 * Promtail or Prometheus file becomes the converted Alloy config under the
 * same name. A directory keeps its *.alloy files, as in Alloy.
 */
export async function sourceConverter(
  format: string,
  bypassErrors: boolean,
  extra: string,
): Promise<((raw: RawConfigFile[]) => RawConfigFile[]) | undefined> {
  if (format === 'alloy') return undefined;
  if (!FORMATS.includes(format)) throw new CliError(`unsupported config format ${JSON.stringify(format)}; supported: alloy, ${SUPPORTED_HERE.join(', ')}`);
  const { convertConfig } = await import('../convert/index.js');
  const { diagnosticText } = await import('../convert/diag.js');
  return (raw) => {
    if (raw.length !== 1) return raw;
    const [file] = raw as [RawConfigFile];
    const { output, diagnostics } = convertConfig(Buffer.from(file.bytes).toString('utf8'), format, extraArgs(extra));
    if (diagnostics.has('Critical') || (!bypassErrors && diagnostics.has('Error'))) {
      const lines = diagnostics.items.filter((d) => d.severity !== 'Info').map(diagnosticText);
      throw new Error(`converting ${file.name} from ${format} failed:\n${lines.join('\n')}`);
    }
    return [{ name: file.name, bytes: Buffer.from(output ?? '', 'utf8') }];
  };
}
