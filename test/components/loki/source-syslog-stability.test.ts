/**
 * The experimental parts of loki.source.syslog — the raw format and
 * rfc3164_cisco_components — are refused below `--stability.level=experimental`
 * with Alloy's feature-gate message (the component fails to build), while the rest
 * of the component runs at the default level.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { builtinComponents } from '../../../src/components/index.js';
import type { Stability } from '../../../src/runtime/component.js';
import type { Controller } from '../../../src/runtime/controller.js';
import { configFiles, testController } from '../../support/controller.js';

const controllers: Controller[] = [];

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
});

function controllerAt(minStability: Stability): Controller {
  const c = testController(builtinComponents(), { minStability });
  controllers.push(c);
  return c;
}

const config = (listener: string) => `loki.source.syslog "in" {
  listener {
    address = "127.0.0.1:0"
${listener}
  }
  forward_to = []
}
`;

const RAW = '    syslog_format = "raw"';
const CISCO = '    syslog_format = "rfc3164"\n    rfc3164_cisco_components {\n      enable_all = true\n    }';

describe('loki.source.syslog stability gates', () => {
  it('below experimental, a first config using the raw format or the Cisco components leaves the component unhealthy with the feature-gate message, not listening', async () => {
    for (const [level, listener, feature] of [['generally-available', RAW, 'syslog_format "raw"'], ['public-preview', RAW, 'syslog_format "raw"'], ['generally-available', CISCO, 'rfc3164_cisco_components']] as const) {
      const c = controllerAt(level);
      await c.apply(configFiles(config(listener)));
      const node = c.get('loki.source.syslog.in')!;
      expect(node.health.state).toBe('unhealthy');
      expect(node.health.message).toBe(
        `component evaluation failed: ${feature} is at stability level "experimental", which is below the minimum allowed stability level "${level}". Use --stability.level command-line flag to enable "experimental" features`,
      );
      expect(node.instance).toBeUndefined();
    }
  });

  it('accepts both at experimental, and the stable formats at the default level', async () => {
    for (const [level, listener] of [['experimental', RAW], ['experimental', CISCO], ['generally-available', '    syslog_format = "rfc3164"'], ['generally-available', '']] as const) {
      const c = controllerAt(level);
      await c.apply(configFiles(config(listener)));
      expect(c.get('loki.source.syslog.in')!.health.state).not.toBe('unhealthy');
    }
  });
});
