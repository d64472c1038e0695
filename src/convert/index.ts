/**
 * `alloy-ts convert`: Promtail and Prometheus YAML configs to Alloy
 * configs, byte for byte as `alloy convert` writes them (grafana/alloy
 * internal/converter). The components are built as blocks, rendered as raw
 * Alloy text and printed by the formatter (common.PrettyPrint).
 */
import { parseFile } from '../lang/parser.js';
import { formatFile } from '../lang/printer.js';
import { SourceFile } from '../lang/position.js';
import type { Block } from './builder.js';
import { ConvertDiagnostics } from './diag.js';
import { convertPromtail, fixNodeNameField } from './promtail/convert.js';
import { convertPrometheus } from './prometheus/convert.js';

export const SOURCE_FORMATS = ['prometheus', 'promtail'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export interface ConvertOutput {
  /** The Alloy config, or undefined when nothing could be converted. */
  readonly output: string | undefined;
  readonly diagnostics: ConvertDiagnostics;
}

export function convertConfig(text: string, format: string, extraArgs: readonly string[] = []): ConvertOutput {
  const diags = new ConvertDiagnostics();
  if (format === 'otelcol' || format === 'static') {
    // Alloy converts these too; alloy-ts does not (yet), and says so instead of guessing.
    diags.critical(`the ${format} converter is not available in alloy-ts; supported formats: ${SOURCE_FORMATS.join(', ')}`);
    return { output: undefined, diagnostics: diags };
  }
  if (!(SOURCE_FORMATS as readonly string[]).includes(format)) {
    diags.critical(`unrecognized kind ${JSON.stringify(format)} given to the config converter`);
    return { output: undefined, diagnostics: diags };
  }
  if (extraArgs.length > 0) {
    diags.critical(`extra arguments are not supported for the ${format} converter: [${extraArgs.join(' ')}]`);
    return { output: undefined, diagnostics: diags };
  }
  const blocks = format === 'promtail' ? convertPromtail(text, diags) : convertPrometheus(text, diags);
  if (!blocks) return { output: undefined, diagnostics: diags };
  validateLabels(blocks, diags);
  const raw = blocks.map((b) => b.text()).join('\n');
  if (raw === '') return { output: undefined, diagnostics: diags };
  // Upstream formats twice: the builder prints the file it wrote, then the
  // converter parses and prints that again (an empty `{}` written over two
  // lines joins an alignment group only the second time).
  let once = prettyPrint(raw, diags);
  if (format === 'promtail') once = fixNodeNameField(once);
  return { output: prettyPrint(once, diags), diagnostics: diags };
}

/** Parses and prints the raw text; a text that does not parse is returned as it is, with the error. */
function prettyPrint(raw: string, diags: ConvertDiagnostics): string {
  const { file, diagnostics } = parseFile(SourceFile.fromString('', raw));
  if (diagnostics.length > 0) {
    diags.error(diagnostics[0]!.message);
    return raw;
  }
  return formatFile(file);
}

/** common.ValidateNodes: two components may not end up with the same name. */
function validateLabels(blocks: readonly Block[], diags: ConvertDiagnostics): void {
  const seen = new Set<string>();
  for (const b of blocks) {
    const id = b.name.join('.') + (b.label === '' ? '' : `.${b.label}`);
    if (seen.has(id)) {
      diags.critical(
        `duplicate label after conversion ${JSON.stringify(id)}. this is due to how valid Alloy labels are assembled and can be avoided by updating named properties in the source config.`,
      );
    }
    seen.add(id);
  }
}
