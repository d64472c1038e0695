/**
 * Conversion diagnostics as Alloy's converter reports them
 * (grafana/alloy internal/converter/diag): a severity and a message, printed
 * as `(Error) message`; the text report ends with a footer saying whether a
 * config was written.
 */

export type Severity = 'Info' | 'Warning' | 'Error' | 'Critical';

export interface ConvertDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  /** More lines, printed under the message (Info diagnostics of the Prometheus converter). */
  readonly detail?: string;
}

export class ConvertDiagnostics {
  readonly items: ConvertDiagnostic[] = [];

  add(severity: Severity, message: string, detail?: string): void {
    this.items.push(detail === undefined ? { severity, message } : { severity, message, detail });
  }
  info(message: string, detail?: string): void {
    this.add('Info', message, detail);
  }
  warn(message: string): void {
    this.add('Warning', message);
  }
  error(message: string): void {
    this.add('Error', message);
  }
  critical(message: string): void {
    this.add('Critical', message);
  }

  has(severity: Severity): boolean {
    return this.items.some((d) => d.severity === severity);
  }

  /** The shared converter validation: "The converter does not support converting the provided X config[: why]". */
  unsupported(name: string, why = ''): void {
    this.error(
      why === ''
        ? `The converter does not support converting the provided ${name} config.`
        : `The converter does not support converting the provided ${name} config: ${why}`,
    );
  }
}

export function diagnosticText(d: ConvertDiagnostic): string {
  const head = `(${d.severity}) ${d.message}`;
  return d.detail ? `${head}\n${d.detail}` : head;
}

const CRITICAL_FOOTER =
  '\nA configuration file was not generated due to critical issues. Refer to the critical messages for more information.';
const ERROR_FOOTER =
  '\nA configuration file was not generated due to errors. Refer to the error messages for more information.\n' +
  "You can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.";
const SUCCESS_FOOTER = '\nA configuration file was generated successfully.';

/** The `--report` file's text. */
export function reportText(diags: readonly ConvertDiagnostic[], bypassErrors: boolean): string {
  let shown = diags;
  let footer = SUCCESS_FOOTER;
  if (diags.some((d) => d.severity === 'Critical')) {
    shown = diags.filter((d) => d.severity === 'Critical');
    footer = CRITICAL_FOOTER;
  } else if (!bypassErrors && diags.some((d) => d.severity === 'Error')) {
    shown = diags.filter((d) => d.severity === 'Error' || d.severity === 'Critical');
    footer = ERROR_FOOTER;
  }
  return shown.map(diagnosticText).join('\n') + footer;
}
