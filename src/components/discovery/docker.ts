/**
 * discovery.docker (grafana/alloy internal/component/discovery/docker/docker.go,
 * Prometheus discovery/moby/docker.go): lists the containers of a Docker (or podman)
 * daemon every `refresh_interval` and exports one target per container
 * network and TCP port, labelled like Prometheus' Docker SD.
 *
 * A failed refresh marks the component unhealthy and keeps the last good
 * targets. Two podman differences are bridged here so that the labels match
 * what Docker would give: podman's container list has no `HostConfig`, so the
 * network mode comes from inspecting the container (once per container), and
 * its containers name their network by name ("podman") while the network list
 * is keyed by ID, so unknown network keys are looked up one by one.
 */
import { describeSchema, attr, blocks, schema, t, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent, type ComponentContext } from '../../runtime/component.js';
import { health } from '../../runtime/health.js';
import { dockerClientFromHttpConfig, dockerHostProblem, dockerStatusCode, requestTimeout, unsupportedDockerHttpOptions, type DockerClient } from '../docker-api/client.js';
import { httpClientFieldDescriptions, httpClientFields, validateHttpClientConfig, type HttpClientConfig } from '../common/http-client.js';
import { sleep } from '../common/until-aborted.js';
import { dockerTargets, networkLabels, type ContainerSummary, type NetworkSummary, type Target } from './docker/targets.js';

const Filter = schema({ name: attr(t.string), values: attr(t.list(t.string)) });

const Arguments = schema(
  {
    host: attr(t.string),
    port: attr(t.int, 80),
    host_networking_host: attr(t.string, 'localhost'),
    match_first_network: attr(t.bool, true),
    refresh_interval: attr(t.duration, '1m'),
    filter: blocks(Filter),
    ...httpClientFields,
  },
  (a) => dockerHostProblem(a.host) ?? (a.refresh_interval <= 0 ? 'refresh_interval must be greater than 0' : undefined) ?? validateHttpClientConfig(a),
);
type Arguments = Infer<typeof Arguments>;

const Exports = schema({ targets: attr(targetsType) });

export const discoveryDocker = defineComponent({
  name: 'discovery.docker',
  description: 'Discovers the containers of a Docker Engine and exposes each published port as a target with __meta_docker_* labels.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  build(ctx, args) {
    const discovery = new DockerDiscovery(ctx, args);
    ctx.setExports({ targets: [] });
    return {
      update: (next) => discovery.update(next),
      run: (signal) => discovery.run(signal),
    };
  },
});

/** Docker's `filters` query parameter: every value of every filter block. */
export function dockerFilters(filters: readonly { name: string; values: string[] }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of filters) (out[f.name] ??= []).push(...f.values);
  return out;
}

class DockerDiscovery {
  private client: Promise<DockerClient>;
  private wake: (() => void) | undefined;
  /** Network modes learnt by inspecting containers (podman lists none). */
  private readonly modes = new Map<string, string>();

  constructor(
    private readonly ctx: ComponentContext<{ targets: Target[] }>,
    private args: Arguments,
  ) {
    this.client = this.connect();
  }

  update(next: Arguments): void {
    this.args = next;
    this.client = this.connect();
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.refreshOnce(signal);
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      const interrupt = new AbortController();
      const stop = AbortSignal.any([signal, interrupt.signal]);
      await Promise.race([sleep(this.args.refresh_interval, stop), woken]);
      interrupt.abort();
    }
    await this.client.then((c) => c.close()).catch(() => {});
  }

  private connect(): Promise<DockerClient> {
    const unsupported = unsupportedDockerHttpOptions(this.args.host, this.args as HttpClientConfig);
    if (unsupported.length) this.ctx.logger.warn('HTTP client options not supported for Docker hosts are ignored', { options: unsupported.join(', ') });
    const client = dockerClientFromHttpConfig(this.args.host, this.args);
    client.catch(() => {}); // reported by the refresh that awaits it
    return client;
  }

  private async refreshOnce(signal: AbortSignal): Promise<void> {
    try {
      const targets = await this.refresh(signal);
      if (signal.aborted) return;
      this.ctx.setExports({ targets });
      this.ctx.setHealth(health('healthy', 'refreshed targets'));
    } catch (err) {
      if (signal.aborted) return;
      const message = (err as Error).message;
      this.ctx.logger.error('unable to refresh targets', { err: message });
      this.ctx.setHealth(health('unhealthy', `refresh failed: ${message}`));
    }
  }

  private async refresh(parent: AbortSignal): Promise<Target[]> {
    const client = await this.client;
    const abortSignal = requestTimeout(this.args.refresh_interval, parent);
    const [containers, networks] = await Promise.all([
      client.listContainers<ContainerSummary>({ filters: dockerFilters(this.args.filter) }, abortSignal),
      client.listNetworks<NetworkSummary>(abortSignal),
    ]);
    const labels = networkLabels(networks);
    await Promise.all([this.fillNetworkModes(client, containers, abortSignal), this.resolveNetworkAliases(client, containers, labels, abortSignal)]);
    return dockerTargets(containers.map((c) => this.withNetworkMode(c)), labels, {
      port: this.args.port,
      hostNetworkingHost: this.args.host_networking_host,
      matchFirstNetwork: this.args.match_first_network,
    });
  }

  /** Inspects containers whose list entry lacks `HostConfig` (podman), once per container. */
  private async fillNetworkModes(client: DockerClient, containers: ContainerSummary[], abortSignal: AbortSignal): Promise<void> {
    const present = new Set(containers.map((c) => c.Id));
    for (const id of this.modes.keys()) if (!present.has(id)) this.modes.delete(id);
    const missing = containers.filter((c) => c.HostConfig?.NetworkMode === undefined && !this.modes.has(c.Id));
    await Promise.all(
      missing.map(async (c) => {
        try {
          const info = await client.inspectContainer(c.Id, abortSignal);
          this.modes.set(c.Id, info.HostConfig?.NetworkMode ?? '');
        } catch (err) {
          if (dockerStatusCode(err) !== 404) throw err; // removed since the list: it is gone next time
        }
      }),
    );
  }

  private withNetworkMode(c: ContainerSummary): ContainerSummary {
    if (c.HostConfig?.NetworkMode !== undefined) return c;
    return { ...c, HostConfig: { NetworkMode: this.modes.get(c.Id) ?? '' } };
  }

  /** Adds labels for network keys the list does not know by ID (podman uses names). */
  private async resolveNetworkAliases(client: DockerClient, containers: ContainerSummary[], labels: Map<string, Target>, abortSignal: AbortSignal): Promise<void> {
    const unknown = new Set<string>();
    for (const c of containers) {
      for (const endpoint of Object.values(c.NetworkSettings?.Networks ?? {})) {
        if (endpoint?.NetworkID && !labels.has(endpoint.NetworkID)) unknown.add(endpoint.NetworkID);
      }
    }
    await Promise.all(
      [...unknown].map(async (key) => {
        try {
          const info = await client.getJson<NetworkSummary>(`/networks/${encodeURIComponent(key)}`, abortSignal);
          const known = labels.get(info.Id);
          labels.set(key, known ?? networkLabels([info]).get(info.Id)!);
        } catch (err) {
          if (dockerStatusCode(err) !== 404) throw err;
        }
      }),
    );
  }
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Filter, {
  name: 'Name of the Docker API filter, such as name or label.',
  values: 'Values the filter accepts.',
}, 'A filter passed to the Docker API when listing containers.');
describeSchema(Arguments, {
  ...httpClientFieldDescriptions,
  host: 'Address of the Docker daemon, such as unix:///var/run/docker.sock.',
  port: 'Port used for containers that publish none (host networking).',
  host_networking_host: 'Host name used for containers in host networking mode.',
  match_first_network: 'When a container is on several networks, use only the first one.',
  refresh_interval: 'How often the container list is fetched again.',
  filter: 'Docker API filters that narrow the containers found.',
});
describeSchema(Exports, {
  targets: 'The discovered containers as targets.',
});
