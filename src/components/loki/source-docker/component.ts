/**
 * loki.source.docker's implementation: its arguments are declared in
 * ../source-docker.ts; this module loads only when a config builds the component.
 */
import path from 'node:path';
import { Counter } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { health } from '../../../runtime/health.js';
import { dockerConnection, dockerStatusCode, unsupportedDockerHttpOptions, type DockerConnection } from '../../docker-api/client.js';
import type { HttpClientConfig } from '../../common/http-client.js';
import type { Labels } from '../../common/log-entries.js';
import { labelSetString, Positions } from '../positions.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { sleep } from '../../common/until-aborted.js';
import { DockerTailer, type DockerTailerContext } from './tailer.js';
import type { Arguments } from '../source-docker.js';

const CONTAINER_ID_LABEL = '__meta_docker_container_id';
const CURSOR_PREFIX = 'cursor-';
/** How often positions of removed containers are looked for. */
const CLEANUP_INTERVAL_MS = 60_000;

export async function buildDockerSource(ctx: ComponentContext<Record<string, never>>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const positions = await Positions.open(path.join(ctx.dataPath, 'positions.yml'), { logger: ctx.logger });
  const source = new DockerSource(ctx, positions);
  await source.update(initial);
  ctx.setHealth(health('healthy', 'started'));
  return {
    update: (next) => source.update(next),
    async run(signal) {
      await source.run(signal);
      await positions.stop();
    },
    debugInfo: () => ({ targets_info: source.debugInfo() }),
  };
}

/** The wanted tailers: container ID → its labels, first target (by label string) wins. */
export function containerTargets(targets: readonly Labels[], staticLabels: Labels): Map<string, { labels: Labels; key: string }> {
  const merged = targets
    .filter((t) => t[CONTAINER_ID_LABEL])
    .map((t) => {
      const labels = { ...t, ...staticLabels };
      return { id: t[CONTAINER_ID_LABEL]!, labels, key: labelSetString(labels) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const wanted = new Map<string, { labels: Labels; key: string }>();
  for (const m of merged) if (!wanted.has(m.id)) wanted.set(m.id, { labels: m.labels, key: m.key });
  return wanted;
}

class DockerSource {
  private readonly tailers = new Map<string, DockerTailer>();
  /** Retired tailers still reading their container's last lines: a new one for it waits for them. */
  private readonly retiring = new Map<string, { tailer: DockerTailer; done: Promise<void> }>();
  private readonly entries: Counter;
  private readonly parsingErrors: Counter;
  private connection: DockerConnection | undefined;
  private args: Arguments | undefined;
  private stopping = false;
  /** Updates run one at a time. */
  private updating: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ComponentContext<unknown>,
    private readonly positions: Positions,
  ) {
    this.entries = new Counter({ name: 'loki_source_docker_target_entries_total', help: 'Total number of successful entries sent to the Docker target.', registers: [ctx.registry] });
    this.parsingErrors = new Counter({ name: 'loki_source_docker_target_parsing_errors_total', help: 'Total number of parsing errors while receiving Docker messages.', registers: [ctx.registry] });
  }

  update(next: Arguments): Promise<void> {
    this.updating = this.updating.then(() => this.apply(next));
    return this.updating;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(CLEANUP_INTERVAL_MS, signal);
      if (!signal.aborted) await this.dropRemovedContainers();
    }
    this.stopping = true;
    await this.updating;
    const all = [...this.tailers.values(), ...[...this.retiring.values()].map((r) => r.tailer)];
    await Promise.all(all.map((tailer) => tailer.stop()));
    await this.connection?.client.close().catch(() => {});
  }

  debugInfo(): ReturnType<DockerTailer['debugInfo']>[] {
    return [...this.tailers.values()].map((tailer) => tailer.debugInfo());
  }

  private async apply(next: Arguments): Promise<void> {
    if (this.stopping) return;
    if (!this.args || connectionChanged(this.args, next)) await this.reconnect(next);
    this.args = next;
    const wanted = containerTargets(next.targets, next.labels);
    for (const [id, tailer] of this.tailers) {
      const target = wanted.get(id);
      if (target?.key === tailer.key.labels) continue;
      this.tailers.delete(id);
      // Gone: read what is left, in the background. Relabelled: the new tailer takes over its position.
      if (target) await tailer.stop();
      else this.retire(id, tailer);
    }
    for (const [id, target] of wanted) {
      if (this.tailers.has(id)) continue;
      const tailer = new DockerTailer(id, target.labels, { path: `${CURSOR_PREFIX}${id}`, labels: target.key }, this.tailerContext());
      this.tailers.set(id, tailer);
      tailer.start(this.retiring.get(id)?.done);
    }
  }

  private retire(id: string, tailer: DockerTailer): void {
    const entry = { tailer, done: tailer.retire() };
    this.retiring.set(id, entry);
    void entry.done.then(() => {
      if (this.retiring.get(id) === entry) this.retiring.delete(id);
    });
  }

  /** A new client; every tailer restarts with it (and with the new relabel rules). */
  private async reconnect(next: Arguments): Promise<void> {
    const cfg = next.http_client_config as HttpClientConfig | undefined;
    const unsupported = unsupportedDockerHttpOptions(next.host, cfg);
    if (unsupported.length) this.ctx.logger.warn('HTTP client options not supported for Docker hosts are ignored', { options: unsupported.join(', ') });
    this.connection = await dockerConnection(next.host, cfg);
    await Promise.all([...this.tailers.values()].map((tailer) => tailer.stop()));
    this.tailers.clear();
    this.args = next;
  }

  private tailerContext(): DockerTailerContext {
    return {
      connection: this.connection!,
      positions: this.positions,
      relabel: this.args!.relabel_rules as RelabelRules | undefined,
      logger: this.ctx.logger,
      entries: this.entries,
      parsingErrors: this.parsingErrors,
      receivers: () => this.args!.forward_to,
    };
  }

  /** Forgets positions of containers that have no tailer and no longer exist. */
  private async dropRemovedContainers(): Promise<void> {
    const client = this.connection?.client;
    if (!client) return;
    for (const { key } of this.positions.list()) {
      const id = key.path.startsWith(CURSOR_PREFIX) ? key.path.slice(CURSOR_PREFIX.length) : undefined;
      if (!id || this.tailers.has(id)) continue;
      try {
        await client.inspectContainer(id, AbortSignal.timeout(10_000));
      } catch (err) {
        if (dockerStatusCode(err) === 404) this.positions.remove(key);
      }
    }
  }
}

function connectionChanged(a: Arguments, b: Arguments): boolean {
  const rulesChanged = a.relabel_rules !== b.relabel_rules && !(a.relabel_rules && b.relabel_rules && a.relabel_rules.equals(b.relabel_rules));
  return a.host !== b.host || a.refresh_interval !== b.refresh_interval || rulesChanged || JSON.stringify(a.http_client_config) !== JSON.stringify(b.http_client_config);
}
