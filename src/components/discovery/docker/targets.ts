/**
 * Turns a Docker container list and network list into discovery targets with
 * Prometheus' `__meta_docker_*` label set (discovery/moby/docker.go, network.go): one target per
 * (network × TCP port), a fallback target per network without TCP ports,
 * `container:<id>` network modes borrowing the other container's networks,
 * and `match_first_network` keeping the alphabetically first network.
 *
 * Deviation (documented): a container that reports no network at all — podman
 * does so for `--network none` and `--network host`, where Docker reports a
 * "none"/"host" network — still gets one fallback target (network IP "",
 * address `:<port>` or `host_networking_host` for host mode), so that
 * loki.source.docker can collect its logs as it would with Docker.
 */
export type Target = Record<string, string>;

/** The parts of `GET /containers/json` entries that discovery reads. */
export interface ContainerSummary {
  readonly Id: string;
  readonly Names?: readonly string[] | null;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly Ports?: readonly { readonly IP?: string; readonly PrivatePort: number; readonly PublicPort?: number; readonly Type: string }[] | null;
  readonly HostConfig?: { readonly NetworkMode?: string } | null;
  readonly NetworkSettings?: { readonly Networks?: Readonly<Record<string, EndpointSummary | null>> | null } | null;
}

export interface EndpointSummary {
  readonly NetworkID?: string;
  readonly IPAddress?: string;
}

/** The parts of `GET /networks` entries that discovery reads. */
export interface NetworkSummary {
  readonly Id: string;
  readonly Name: string;
  readonly Scope?: string;
  readonly Internal?: boolean;
  readonly Ingress?: boolean;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

export interface TargetOptions {
  readonly port: number;
  readonly hostNetworkingHost: string;
  readonly matchFirstNetwork: boolean;
}

const META = '__meta_docker_';

/** Prometheus' strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/gu, '_');
}

/** Labels of each network, keyed by every name a container may use for it (ID, name). */
export function networkLabels(networks: readonly NetworkSummary[]): Map<string, Target> {
  const byKey = new Map<string, Target>();
  for (const n of networks) {
    const labels: Target = {
      [`${META}network_id`]: n.Id,
      [`${META}network_name`]: n.Name,
      [`${META}network_scope`]: n.Scope ?? '',
      [`${META}network_internal`]: String(n.Internal ?? false),
      [`${META}network_ingress`]: String(n.Ingress ?? false),
    };
    for (const [k, v] of Object.entries(n.Labels ?? {})) labels[`${META}network_label_${sanitizeLabelName(k)}`] = v;
    byKey.set(n.Id, labels);
  }
  return byKey;
}

/** All targets of one refresh, in container order and network-name order. */
export function dockerTargets(containers: readonly ContainerSummary[], networks: ReadonlyMap<string, Target>, opts: TargetOptions): Target[] {
  const byId = new Map(containers.map((c) => [c.Id, c]));
  const targets: Target[] = [];
  for (const c of containers) {
    if (!c.Names?.length) continue;
    const common = containerLabels(c);
    const endpoints = selectNetworks(c, byId, opts.matchFirstNetwork);
    if (endpoints.length === 0) endpoints.push({}); // the deviation described above
    for (const endpoint of endpoints) targets.push(...endpointTargets(c, endpoint, common, networks, opts));
  }
  return targets;
}

function containerLabels(c: ContainerSummary): Target {
  const labels: Target = {
    [`${META}container_id`]: c.Id,
    [`${META}container_name`]: c.Names![0]!,
    [`${META}container_network_mode`]: networkMode(c),
  };
  for (const [k, v] of Object.entries(c.Labels ?? {})) labels[`${META}container_label_${sanitizeLabelName(k)}`] = v;
  return labels;
}

function networkMode(c: ContainerSummary): string {
  return c.HostConfig?.NetworkMode ?? '';
}

/** The container's endpoints, borrowed through `container:<id>` chains, sorted by network name. */
function selectNetworks(c: ContainerSummary, byId: ReadonlyMap<string, ContainerSummary>, matchFirst: boolean): EndpointSummary[] {
  let networks = presentNetworks(c);
  const seen = new Set([c.Id]);
  let mode = networkMode(c);
  while (networks.length === 0 && mode.startsWith('container:')) {
    const other = byId.get(mode.slice('container:'.length));
    if (!other || seen.has(other.Id)) break; // unknown, or a loop
    seen.add(other.Id);
    networks = presentNetworks(other);
    mode = networkMode(other);
  }
  networks.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (matchFirst && networks.length > 1) networks = networks.slice(0, 1);
  return networks.map(([, endpoint]) => endpoint);
}

function presentNetworks(c: ContainerSummary): [string, EndpointSummary][] {
  return Object.entries(c.NetworkSettings?.Networks ?? {}).filter((e): e is [string, EndpointSummary] => e[1] != null);
}

function endpointTargets(c: ContainerSummary, endpoint: EndpointSummary, common: Target, networks: ReadonlyMap<string, Target>, opts: TargetOptions): Target[] {
  const ip = endpoint.IPAddress ?? '';
  const shared = { ...common, ...networks.get(endpoint.NetworkID ?? '') };
  const targets: Target[] = [];
  for (const p of c.Ports ?? []) {
    if (p.Type !== 'tcp') continue;
    const labels: Target = { [`${META}network_ip`]: ip, [`${META}port_private`]: String(p.PrivatePort) };
    if ((p.PublicPort ?? 0) > 0) {
      labels[`${META}port_public`] = String(p.PublicPort);
      labels[`${META}port_public_ip`] = p.IP ?? '';
    }
    targets.push({ ...labels, ...shared, __address__: joinHostPort(ip, p.PrivatePort) });
  }
  if (targets.length > 0) return targets;
  // No TCP port: the configured port, or the host name for host networking (which has no ports).
  const address = networkMode(c) === 'host' ? opts.hostNetworkingHost : joinHostPort(ip, opts.port);
  return [{ [`${META}network_ip`]: ip, ...shared, __address__: address }];
}

/** Go's net.JoinHostPort: IPv6 addresses are bracketed. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
