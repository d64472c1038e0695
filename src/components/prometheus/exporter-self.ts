/**
 * prometheus.exporter.self: exposes the agent's own metrics at
 * /api/v0/component/<id>/metrics and exports one scrape target for them.
 */
import { hostname } from 'node:os';
import { describeSchema, attr, schema, targetsType } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';

const Exports = schema({ targets: attr(targetsType) });

/** The target Alloy's exporters export (grafana/alloy internal/component/prometheus/exporter/exporter.go). */
export function exporterTarget(componentName: string, componentId: string, job: string, memoryAddr: string): Record<string, string> {
  return {
    __address__: memoryAddr,
    __scheme__: 'http',
    __metrics_path__: `/api/v0/component/${componentId}/metrics`,
    instance: process.env['HOSTNAME'] || hostname() || 'unknown',
    job,
    __meta_component_name: componentName,
    __meta_component_id: componentId,
  };
}

export const prometheusExporterSelf = defineComponent({
  name: 'prometheus.exporter.self',
  description: 'Exposes Alloy\'s own metrics as a scrape target.',
  stability: 'generally-available',
  args: schema({}),
  exports: Exports,
  build(ctx) {
    ctx.setExports({ targets: [exporterTarget('prometheus.exporter.self', ctx.globalId, 'integrations/self', ctx.host.memoryAddr)] });
    return {
      update() {},
      run: untilAborted,
      async handler(_req, res, rest) {
        if (rest !== 'metrics') {
          res.writeHead(404).end('404 page not found\n');
          return;
        }
        const { contentType, body } = await ctx.host.gatherMetrics();
        res.writeHead(200, { 'Content-Type': contentType }).end(body);
      },
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Exports, {
  targets: 'The target to scrape for Alloy\'s own metrics.',
});
