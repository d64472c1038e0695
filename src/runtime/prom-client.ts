/**
 * prom-client's metric classes, loaded without the package's entry point.
 * The entry (index.js) also loads the Pushgateway, cluster aggregation and
 * the default metrics, whose CPU metric requires @opentelemetry/api (45
 * modules, for exemplars alloy-ts never records): 110 ms of CPU and 5 MiB of
 * memory at every agent start, before any component needs them (issue 20).
 * These are the very classes the entry exports (the same module files), so
 * metrics made through either module mix freely.
 */
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const requireLib = ((require) => (file: string): unknown => require(`prom-client/lib/${file}`))(createRequire(import.meta.url));

export const Registry = requireLib('registry') as typeof Prom.Registry;
export const Counter = requireLib('counter') as typeof Prom.Counter;
export const Gauge = requireLib('gauge') as typeof Prom.Gauge;
export const Histogram = requireLib('histogram') as typeof Prom.Histogram;
export const Summary = requireLib('summary') as typeof Prom.Summary;
export type Registry = Prom.Registry;
export type Counter<T extends string = string> = Prom.Counter<T>;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
export type Summary<T extends string = string> = Prom.Summary<T>;

type DefaultMetric = (registry: Registry, config: Record<string, unknown>) => void;

/**
 * prom-client's default metrics (process_* and nodejs_*), registered in
 * `registry` with the same names, help and order as its
 * collectDefaultMetrics, whose module list this follows; only the CPU
 * counters are made here, without the exemplar support that loads
 * @opentelemetry/api.
 */
export function collectDefaultMetrics(registry: Registry): void {
  const config = { eventLoopMonitoringPrecision: 10, register: registry };
  processCpuTotal(registry);
  const modules = [
    'processStartTime',
    'osMemoryHeap',
    'processOpenFileDescriptors',
    'processMaxFileDescriptors',
    'eventLoopLag',
    ...(typeof (process as { getActiveResourcesInfo?: unknown }).getActiveResourcesInfo === 'function' ? ['processResources'] : []),
    'processHandles',
    'processRequests',
    'heapSizeAndUsed',
    'heapSpacesSizeAndUsed',
    'version',
    'gc',
  ];
  for (const name of modules) (requireLib(`metrics/${name}`) as DefaultMetric)(registry, config);
}

/** process_cpu_{user,system}_seconds_total and process_cpu_seconds_total, as prom-client counts them. */
function processCpuTotal(registry: Registry): void {
  let last = process.cpuUsage();
  const user = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers: [registry],
    // This one metric's collect() brings all three up to date.
    collect() {
      const now = process.cpuUsage();
      const userMicros = now.user - last.user;
      const systemMicros = now.system - last.system;
      last = now;
      user.inc(userMicros / 1e6);
      system.inc(systemMicros / 1e6);
      total.inc((userMicros + systemMicros) / 1e6);
    },
  });
  const system = new Counter({ name: 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.', registers: [registry] });
  const total = new Counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers: [registry] });
}
