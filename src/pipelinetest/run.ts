/**
 * Running one pipeline test in isolation (grafana/alloy internal/pipelinetest
 * run.go and prelude.go): the config under test gets a `pipelinetest.sink`
 * and one `pipelinetest.source` per Loki input in front, its
 * `pipelinetest.loki.url` / `pipelinetest.loki.receiver` references point at
 * the sink, and it runs in its own controller with its own storage. The
 * inputs are sent once; the assertions are retried until they hold or the
 * test's time is up, and the controller is stopped either way.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinComponents } from '../components/index.js';
import { renderDiagnostics } from '../lang/diag-printer.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import { Controller } from '../runtime/controller.js';
import { InMemoryHttp } from '../runtime/http/in-memory.js';
import { LiveDebugHub } from '../runtime/live-debug.js';
import { Logger, LogSettings } from '../runtime/logger.js';
import type { LogBatch } from '../components/common/log-entries.js';
import { checkAssertion, checkMetricAssertion, renderSeries, renderSnapshot, rfc3339Ns } from './assertions.js';
import { PipelineTestState, pipelineTestComponents, sendThrough } from './components.js';
import type { LokiEntryInput, PipelineTest } from './schema.js';

export interface TestResult {
  readonly name: string;
  readonly file: string;
  readonly passed: boolean;
  /** Failed assertions, or the reason the test could not run. */
  readonly failures: string[];
  /** What the sink received, rendered (for failures). */
  readonly snapshot: string;
  readonly durationMs: number;
}

export interface RunOptions {
  /** Relative paths in the config and file inputs resolve here (the process' working directory). */
  readonly workDir: string;
  /** How long the assertions may take to hold. */
  readonly timeoutMs: number;
}

const SOURCE_PREFIX = '__pipelinetest_loki_input_';
/** How long sending the inputs may take at least (the pipeline acknowledges each entry). */
const SEND_TIMEOUT_MS = 30_000;
/** Go's zero time.Time, which upstream sends for entries without a timestamp. */
const ZERO_TIME_MS = -62_135_596_800_000;

export function testSource(test: PipelineTest): string {
  const sources = test.lokiInputs
    .map((input, i) => (input.components.length === 0 ? '' : `pipelinetest.source "${SOURCE_PREFIX}${i}" {\n\tforward_to {\n\t\tlogs = [${input.components.join(', ')}]\n\t}\n}\n`))
    .join('\n');
  const config = test.config
    .replaceAll('pipelinetest.loki.url', 'pipelinetest.sink.out.loki_push_url')
    .replaceAll('pipelinetest.loki.receiver', 'pipelinetest.sink.out.loki_receiver')
    .replaceAll('pipelinetest.prometheus.url', 'pipelinetest.sink.out.prometheus_remote_write_url')
    .replaceAll('pipelinetest.prometheus.receiver', 'pipelinetest.sink.out.prometheus_receiver');
  return `pipelinetest.sink "out" {}\n\n${sources}\n${config}`;
}

function entryBatch(e: LokiEntryInput): LogBatch {
  let ms = ZERO_TIME_MS;
  let ns = 0;
  if (e.timestamp) {
    const t = rfc3339Ns(e.timestamp);
    ms = Number(t / 1_000_000n);
    ns = Number(t % 1_000_000n);
  }
  const metadata = Object.keys(e.structuredMetadata).length > 0 ? [e.structuredMetadata] : undefined;
  return { labels: e.labels, ms: Float64Array.of(ms), ns: Int32Array.of(ns), lines: [e.line], ...(metadata ? { metadata } : {}) };
}

export async function runPipelineTest(test: PipelineTest, name: string, opts: RunOptions): Promise<TestResult> {
  const started = Date.now();
  const state = new PipelineTestState();
  const storagePath = mkdtempSync(path.join(tmpdir(), 'alloy-ts-pipelinetest-'));
  const logLines: string[] = [];
  const controller = new Controller(
    {
      registry: builtinComponents().register(...pipelineTestComponents(state)),
      logger: new Logger(LogSettings.defaults((line) => void logLines.push(line))),
      storagePath,
      minStability: 'experimental',
      liveDebug: new LiveDebugHub(),
      onConfigBlock: () => {},
      shutdownDeadlineMs: 5000,
      host: {
        httpListenAddr: '127.0.0.1:0',
        memoryAddr: 'alloy.internal:12345',
        gatherMetrics: async () => ({ contentType: 'text/plain', body: '' }),
        // Exporter components' targets are scraped in-process, as in the agent.
        internalRequest: (p, init) => inMemory.request(p, init),
      },
    },
    { modulePath: '' },
  );
  const inMemory = new InMemoryHttp((req, res) => {
    const m = /^\/api\/v0\/component\/(.+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const route = m ? controller.routeComponent(m[1]!) : undefined;
    if (!route) return void res.writeHead(404).end('404 page not found\n');
    void route.handler(req, res, route.rest);
  });
  const result = (passed: boolean, failures: string[]): TestResult => ({
    name,
    file: test.file,
    passed,
    failures,
    snapshot: test.metricAssertions.length > 0 ? `${renderSnapshot(state.entries)}\n  series:\n${renderSeries(state.samples) || '  (no samples received)'}` : renderSnapshot(state.entries),
    durationMs: Date.now() - started,
  });
  try {
    await state.start();
    for (const f of test.fileInputs) {
      const target = path.resolve(opts.workDir, f.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.lines.map((l) => `${l}\n`).join(''));
    }
    const text = testSource(test);
    const source = SourceFile.fromString(`${name}/config.alloy`, text);
    const { file, diagnostics: parseDiags } = parseFile(source);
    const diags = parseDiags.length > 0 ? parseDiags : await controller.apply([{ source, file }]);
    if (diags.some((d) => d.severity === 'error')) {
      return result(false, [`config does not load:\n${renderDiagnostics(diags, new Map([[source.name, text]]))}`]);
    }
    // Sending waits for the pipeline's acknowledgements: bounded on its own, before the assertions' time starts.
    await sendInputs(test, state, Date.now() + Math.max(opts.timeoutMs, SEND_TIMEOUT_MS));
    const deadline = Date.now() + opts.timeoutMs;
    let failures: string[] = [];
    for (;;) {
      failures = [
        ...test.lokiAssertions.map((a) => checkAssertion(a, state.entries)),
        ...test.metricAssertions.map((a) => checkMetricAssertion(a, state.samples)),
      ].filter((f): f is string => f !== undefined);
      if (failures.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return result(failures.length === 0, failures);
  } catch (e) {
    return result(false, [(e as Error).message]);
  } finally {
    await controller.stop();
    await state.stop();
    rmSync(storagePath, { recursive: true, force: true });
  }
}

async function sendInputs(test: PipelineTest, state: PipelineTestState, deadline: number): Promise<void> {
  for (const [i, input] of test.lokiInputs.entries()) {
    if (input.entries.length === 0) continue;
    const id = `pipelinetest.source.${SOURCE_PREFIX}${i}`;
    const receivers = state.sources.get(id);
    if (!receivers) throw new Error(`input ${i}: ${id} did not start`);
    const sending = sendThrough(receivers, input.entries.map(entryBatch));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`input ${i}: sending did not finish in time`)), Math.max(0, deadline - Date.now())).unref());
    await Promise.race([sending, timeout]);
  }
}
