/**
 * `alloy-ts test [PATH…]`: runs pipeline tests written in Alloy's
 * `pipelinetest` format (test.yaml files; a directory is searched for them)
 * and reports them as text, JUnit XML or JSON. Exit status 1 when any test
 * fails. Relative paths in a test resolve against `--dir` (default: the
 * directory given, or the current one), like upstream's package directory.
 */
import { Command, Option } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDurationMs } from '../lang/units.js';
import { CliError, resolvePath, type CliIO } from './io.js';

interface TestFlags {
  reporter: 'text' | 'junit' | 'json';
  timeout: string;
  dir?: string;
}

export function testCommand(io: CliIO): Command {
  return new Command('test')
    .summary('Run pipeline tests (Alloy pipelinetest format)')
    .description(
      'Runs each test.yaml: its config with the given inputs sent in, its assertions\n' +
        'checked against what the pipeline delivered. A directory is searched for test.yaml files.',
    )
    .argument('[paths...]', 'test files or directories', ['.'])
    .addOption(new Option('--reporter <kind>', 'report format').choices(['text', 'junit', 'json']).default('text'))
    .option('--timeout <duration>', 'time each test has for its assertions to hold', '10s')
    .option('--dir <dir>', 'working directory for relative paths in tests')
    .action(async (paths: string[], flags: TestFlags) => runTests(paths, flags, io));
}

/** test.yaml files under `target` (or `target` itself), sorted for a stable order. */
function findTests(target: string): string[] {
  if (!statSync(target).isDirectory()) return [target];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'test.yaml' || e.name === 'test.yml') out.push(p);
    }
  };
  walk(target);
  return out;
}

async function runTests(paths: string[], flags: TestFlags, io: CliIO): Promise<void> {
  const { loadPipelineTest, TestFileError } = await import('../pipelinetest/schema.js');
  const { runPipelineTest } = await import('../pipelinetest/run.js');
  const { reportJson, reportJunit, reportText } = await import('../pipelinetest/report.js');
  const targets = paths.map((p) => resolvePath(io, p));
  const files: string[] = [];
  for (const t of targets) {
    try {
      files.push(...findTests(t));
    } catch {
      throw new CliError(`stat ${path.relative(io.cwd ?? process.cwd(), t) || t}: no such file or directory`);
    }
  }
  if (files.length === 0) throw new CliError('no test.yaml files found');
  const workDir = flags.dir ? resolvePath(io, flags.dir) : statSync(targets[0]!).isDirectory() ? targets[0]! : (io.cwd ?? process.cwd());
  const timeoutMs = parseDurationMs(flags.timeout);
  // Config paths (import.file, __path__) are relative to the process' directory, as in Alloy.
  const previous = process.cwd();
  process.chdir(workDir);
  const results = [];
  try {
    for (const file of files) {
      const name = path.relative(workDir, path.dirname(file)) || path.basename(file);
      try {
        results.push(await runPipelineTest(loadPipelineTest(file, workDir), name, { workDir, timeoutMs }));
      } catch (e) {
        if (!(e instanceof TestFileError)) throw e;
        results.push({ name, file, passed: false, failures: [e.message], snapshot: '', durationMs: 0 });
      }
    }
  } finally {
    process.chdir(previous);
  }
  const report = flags.reporter === 'json' ? reportJson(results) : flags.reporter === 'junit' ? reportJunit(results) : reportText(results);
  io.stdout.write(report);
  const failed = results.filter((r) => !r.passed).length;
  if (failed > 0) throw new CliError(`${failed} of ${results.length} pipeline tests failed`);
}
