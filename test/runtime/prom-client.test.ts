/**
 * The agent's prom-client module (the metric classes without the package
 * entry point) gives the entry's own classes and the same default metrics
 * as prom-client's collectDefaultMetrics.
 */
import * as entry from 'prom-client';
import { describe, expect, it } from 'vitest';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from '../../src/runtime/prom-client.js';

const families = async (r: entry.Registry) => (await r.getMetricsAsJSON()).map((m) => ({ name: m.name, help: m.help, type: m.type }));

describe('runtime prom-client', () => {
  it('exports the classes of the package entry', () => {
    expect(Registry).toBe(entry.Registry);
    expect(Counter).toBe(entry.Counter);
    expect(Gauge).toBe(entry.Gauge);
    expect(Histogram).toBe(entry.Histogram);
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
