/**
 * Alloy's converter test data (../shared/conformance/convert): each case's
 * YAML converted with errors bypassed must give exactly the expected `.alloy`
 * bytes and the expected non-Info diagnostics, one `(Severity) message` per
 * line (upstream internal/converter/internal/test_common/testing.go).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertConfig } from '../../src/convert/index.js';
import { diagnosticText } from '../../src/convert/diag.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { conformanceDir, hasConformance } from '../cli/repo-paths.js';

const root = hasConformance ? path.join(conformanceDir, 'convert') : undefined;

interface Outcome {
  readonly name: string;
  readonly problems: string[];
}

function runCase(dir: string, format: string, name: string): Outcome {
  const input = fs.readFileSync(path.join(dir, `${name}.yaml`), 'utf8');
  const { output, diagnostics } = convertConfig(input, format);
  const problems: string[] = [];
  const diagsPath = path.join(dir, `${name}.diags`);
  const alloyPath = path.join(dir, `${name}.alloy`);
  const got = diagnostics.items.filter((d) => d.severity !== 'Info').map(diagnosticText).join('\n');
  const want = fs.existsSync(diagsPath) ? fs.readFileSync(diagsPath, 'utf8').replace(/\r\n/g, '\n').trimEnd() : '';
  if (fs.existsSync(diagsPath) && got !== want) problems.push(`diagnostics:\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
  if (fs.existsSync(alloyPath)) {
    const expected = fs.readFileSync(alloyPath, 'utf8').replace(/\r\n/g, '\n');
    if (output !== expected) {
      problems.push('output differs');
      if (process.env['CONVERT_DIFF_DIR']) fs.writeFileSync(path.join(process.env['CONVERT_DIFF_DIR'], `${format}-${name}.alloy`), output ?? '<no output>');
    } else if (parseFile(SourceFile.fromString(`${name}.alloy`, output)).diagnostics.length > 0) {
      problems.push('output does not parse');
    }
  }
  if (!fs.existsSync(diagsPath) && !fs.existsSync(alloyPath)) problems.push('case has neither .alloy nor .diags');
  return { name, problems };
}

for (const format of ['promtail', 'prometheus'] as const) {
  describe.skipIf(!root)(`convert conformance: ${format}`, () => {
    const dir = path.join(root ?? '', format);
    const names = root ? [...new Set(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)))].sort() : [];
    const outcomes = names.map((n) => runCase(dir, format, n));
    const passing = outcomes.filter((o) => o.problems.length === 0).map((o) => o.name);

    it(`converts every ${format} case exactly as Alloy does`, () => {
      console.log(`convert ${format}: ${passing.length}/${names.length} cases byte-identical`);
      const failing = outcomes.filter((o) => o.problems.length > 0).map((o) => `${o.name}: ${o.problems.join('; ')}`);
      expect(names.length).toBeGreaterThan(0);
      expect(failing).toEqual([]);
    });
  });
}
