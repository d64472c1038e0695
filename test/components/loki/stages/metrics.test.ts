import { afterEach, describe, expect, it, vi } from 'vitest';
import { metricValue } from '../../../../src/components/loki/stages/metrics.js';
import { decodeStages, entry, pipelineOf } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('stage.metrics', () => {
  it('converts values like Alloy', () => {
    expect([metricValue(2.5), metricValue('0.804'), metricValue('0.5ms'), metricValue('1m'), metricValue(true), metricValue(false)]).toEqual([2.5, 0.804, 0.0005, 60, 1, 0]);
    expect([metricValue('abc'), metricValue(null), metricValue('')]).toEqual([undefined, undefined, undefined]);
  });

  it('counts, gauges and observes per label set (without __ labels)', async () => {
    const body = `stage.regex { expression = "order_status=(?P<order_status>\\\\S+) retries=(?P<retries>\\\\d+) time=(?P<response_time>\\\\S+)" }
      stage.metrics {
        metric.counter {
          name        = "successful_orders_total"
          description = "successful orders"
          source      = "order_status"
          value       = "success"
          action      = "inc"
        }
        metric.counter {
          name              = "log_bytes_total"
          prefix            = "my_custom_tracking_"
          match_all         = true
          count_entry_bytes = true
          action            = "add"
        }
        metric.gauge {
          name   = "retries_total"
          source = "retries"
          action = "add"
        }
        metric.histogram {
          name    = "http_response_time_seconds"
          source  = "response_time"
          buckets = [0.001, 0.005, 0.5]
        }
      }`;
    const { pipeline, ctx } = pipelineOf(body);
    const line = (s: string, r: number, t: string) => `order_status=${s} retries=${r} time=${t}`;
    await pipeline.process([
      entry(line('success', 2, '0.002'), { app: 'shop', __tenant_id__: 't' }),
      entry(line('fail', 3, '4ms'), { app: 'shop' }),
      entry(line('success', 1, 'x'), { app: 'other' }),
    ]);
    const text = await ctx.registry.metrics();
    expect(text).toContain('# TYPE loki_process_custom_successful_orders_total counter');
    expect(text).toContain('loki_process_custom_successful_orders_total{app="shop"} 1\n');
    expect(text).toContain('loki_process_custom_successful_orders_total{app="other"} 1\n');
    const bytes = line('success', 2, '0.002').length + line('fail', 3, '4ms').length;
    expect(text).toContain(`my_custom_tracking_log_bytes_total{app="shop"} ${bytes}\n`);
    expect(text).toContain('loki_process_custom_retries_total{app="shop"} 5\n');
    expect(text).toContain('loki_process_custom_http_response_time_seconds_bucket{app="shop",le="0.001"} 0\n');
    expect(text).toContain('loki_process_custom_http_response_time_seconds_bucket{app="shop",le="0.005"} 2\n');
    expect(text).toContain('loki_process_custom_http_response_time_seconds_bucket{app="shop",le="+Inf"} 2\n');
    expect(text).toContain('loki_process_custom_http_response_time_seconds_sum{app="shop"} 0.006\n');
    expect(text).not.toContain('seconds_count{app="other"}'); // "x" is no number: no series is created
  });

  it('removes series idle for max_idle_duration', async () => {
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
    const { pipeline, ctx } = pipelineOf('stage.metrics {\n metric.counter {\n  name = "lines"\n  match_all = true\n  action = "inc"\n  max_idle_duration = "2s"\n }\n}');
    await pipeline.process([entry('a', { s: '1' }), entry('b', { s: '2' })]);
    vi.setSystemTime(new Date('2024-01-01T00:00:01Z'));
    await pipeline.process([entry('c', { s: '2' })]);
    vi.setSystemTime(new Date('2024-01-01T00:00:02Z'));
    expect(await ctx.registry.metrics()).toContain('loki_process_custom_lines{s="1"} 1'); // reported one last time
    const after = await ctx.registry.metrics();
    expect(after).not.toContain('s="1"');
    expect(after).toContain('loki_process_custom_lines{s="2"} 2');
  });

  it('validates metric blocks', () => {
    const counter = (extra: string) => decodeStages(`stage.metrics {\n metric.counter {\n  name = "x"\n  ${extra}\n }\n}`).error;
    expect(counter('action = "set"')).toBe("2:2: the 'action' counter field must be either 'inc' or 'add'");
    expect(counter('action = "inc"\n match_all = true\n value = "a"')).toMatch(/either 'match_all' or a 'value'/);
    expect(counter('action = "inc"\n match_all = true\n count_entry_bytes = true')).toMatch(/count_entry_bytes/);
    expect(counter('action = "inc"\n max_idle_duration = "500ms"')).toBe('2:2: max_idle_duration must be greater or equal than 1s');
    expect(decodeStages('stage.metrics {\n metric.histogram { name = "h" }\n}').error).toBe('2:2: missing required attribute "buckets"');
    expect(decodeStages('stage.metrics {\n metric.summary { name = "h" }\n}').error).toBe('2:2: unrecognized block name "metric.summary"');
  });
});
