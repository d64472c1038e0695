/** Pipeline test results as text (with what arrived), JUnit XML or JSON. */
import type { TestResult } from './run.js';

export function reportText(results: readonly TestResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.passed ? 'PASS' : 'FAIL'} ${r.name} (${r.durationMs} ms)`);
    if (r.passed) continue;
    for (const f of r.failures) lines.push(`  - ${f.replaceAll('\n', '\n    ')}`);
    if (r.snapshot) lines.push('  received:', r.snapshot.replaceAll('\n', '\n  ').replace(/^/, '  '));
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n') + '\n';
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function reportJunit(results: readonly TestResult[]): string {
  const failed = results.filter((r) => !r.passed).length;
  const total = results.reduce((s, r) => s + r.durationMs, 0) / 1000;
  const cases = results.map((r) => {
    const head = `  <testcase classname="pipelinetest" name="${xmlEscape(r.name)}" file="${xmlEscape(r.file)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
    if (r.passed) return `${head}/>`;
    const body = `${r.failures.join('\n\n')}\n\nreceived:\n${r.snapshot}`;
    return `${head}>\n    <failure message="${xmlEscape(r.failures[0] ?? 'failed')}">${xmlEscape(body)}</failure>\n  </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="alloy-ts pipeline tests" tests="${results.length}" failures="${failed}" time="${total.toFixed(3)}">\n${cases.join('\n')}\n</testsuite>\n`;
}

export function reportJson(results: readonly TestResult[]): string {
  return `${JSON.stringify(
    results.map((r) => ({ name: r.name, file: r.file, passed: r.passed, durationMs: r.durationMs, failures: r.failures, received: r.passed ? undefined : r.snapshot })),
    null,
    2,
  )}\n`;
}
