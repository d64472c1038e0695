import type { Block } from '../builder.js';
import type { ConvertDiagnostics } from '../diag.js';

export function convertPrometheus(_text: string, diags: ConvertDiagnostics): Block[] | undefined {
  diags.critical('the prometheus converter is not available yet');
  return undefined;
}
