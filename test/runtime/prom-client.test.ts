/**
 * The agent's prom-client module (the metric classes without the package
 * entry point) gives the entry's own classes and the same default metrics
 * as prom-client's collectDefaultMetrics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as entry from 'prom-client';
import { describe, expect, it } from 'vitest';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from '../../src/runtime/prom-client.js';
import { repoRoot } from '../cli/repo-paths.js';

const families = async (r: entry.Registry) => (await r.getMetricsAsJSON()).map((m) => ({ name: m.name, help: m.help, type: m.type }));

describe('runtime prom-client', () => {
  it('exports the classes of the package entry', () => {
    expect(Registry).toBe(entry.Registry);
    expect(Counter).toBe(entry.Counter);
    expect(Gauge).toBe(entry.Gauge);
    expect(Histogram).toBe(entry.Histogram);
    expect(Summary).toBe(entry.Summary);
  });

  it('is the only module that imports prom-client\'s values (the entry would load @opentelemetry/api)', () => {
    const src = path.join(repoRoot, 'src');
    const offenders = (readdirSync(src, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && f !== path.join('runtime', 'prom-client.ts'))
      .filter((f) => /^import (?!type )[^;]*from 'prom-client';/m.test(readFileSync(path.join(src, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('registers the default metrics prom-client does, in its order', async () => {
    const ours = new Registry();
    collectDefaultMetrics(ours);
    const theirs = new entry.Registry();
    entry.collectDefaultMetrics({ register: theirs });
    expect(await families(ours)).toEqual(await families(theirs));
  });

  it('counts the CPU time spent since registration', async () => {
    const r = new Registry();
    collectDefaultMetrics(r);
    const until = process.cpuUsage().user + 30_000;
    while (process.cpuUsage().user < until); // 30 ms of user CPU
    const snapshot = new Map((await r.getMetricsAsJSON()).map((m) => [m.name, m.values[0]?.value]));
    const user = snapshot.get('process_cpu_user_seconds_total')!;
    expect(user).toBeGreaterThanOrEqual(0.03);
    expect(snapshot.get('process_cpu_seconds_total')).toBeCloseTo(user + snapshot.get('process_cpu_system_seconds_total')!, 6);
  });
});
