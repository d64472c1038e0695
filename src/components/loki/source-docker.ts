/**
 * loki.source.docker (grafana/alloy internal/component/loki/source/docker/docker.go): follows the logs of the containers named by
 * `targets` (`__meta_docker_container_id`) through the Docker API.
 *
 * One tailer per container: targets are ordered by their label string and
 * the first one of each container wins (discovery.docker makes one target per
 * network and port). An update keeps the tailers whose container and labels
 * are unchanged, starts new ones and retires the others; a change of `host`,
 * `refresh_interval`, `http_client_config` or `relabel_rules` restarts them
 * all, as in Alloy. Positions live in `<data path>/positions.yml`.
 *
 * Unlike Alloy, a retired tailer keeps its position while its container
 * exists (so a stopped and restarted container is not read again from the
 * start); entries of removed containers are dropped every minute.
 */
import { describeSchema, attr, optional, optionalBlock, schema, t, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { dockerHostProblem } from '../docker-api/client.js';
import { httpClientFieldDescriptions, httpClientFields, validateHttpClientConfig } from '../common/http-client.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { relabelRulesType } from '../relabel/rules.js';

const HttpClientBlock = schema(httpClientFields, validateHttpClientConfig);

const Arguments = schema(
  {
    host: attr(t.string),
    targets: attr(targetsType),
    forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
    labels: attr(t.map(t.string), {}),
    relabel_rules: optional(relabelRulesType),
    refresh_interval: attr(t.duration, '60s'),
    http_client_config: optionalBlock(HttpClientBlock),
  },
  (a) => dockerHostProblem(a.host) ?? (a.refresh_interval <= 0 ? 'refresh_interval must be greater than 0' : undefined),
);
export type Arguments = Infer<typeof Arguments>;

export const lokiSourceDocker = defineComponent({
  name: 'loki.source.docker',
  description: 'Reads the logs of the Docker containers given as targets through the Docker Engine API.',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
    const { buildDockerSource } = await import('./source-docker/component.js');
    return buildDockerSource(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(HttpClientBlock, {
  ...httpClientFieldDescriptions,
}, 'HTTP client settings for the Docker daemon connection.');
describeSchema(Arguments, {
  host: 'Address of the Docker daemon.',
  targets: 'Containers to read logs from (as found by discovery.docker).',
  forward_to: 'Receivers the log entries are sent to.',
  labels: 'Labels added to every entry.',
  relabel_rules: 'Relabeling rules applied to the entries.',
  refresh_interval: 'How often the container list is checked again.',
  http_client_config: 'HTTP client settings for the Docker daemon connection.',
});
