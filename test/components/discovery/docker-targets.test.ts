import { describe, expect, it } from 'vitest';
import { dockerFilters } from '../../../src/components/discovery/docker.js';
import { dockerTargets, networkLabels, sanitizeLabelName, type ContainerSummary } from '../../../src/components/discovery/docker/targets.js';

// Shapes as Docker's GET /containers/json and GET /networks return them.
const networks = networkLabels([
  { Id: 'net-bridge', Name: 'bridge', Scope: 'local', Internal: false, Ingress: false, Labels: {} },
  { Id: 'net-app', Name: 'app', Scope: 'local', Internal: true, Ingress: false, Labels: { 'com.docker.compose.network': 'app' } },
  { Id: 'net-host', Name: 'host', Scope: 'local', Internal: false, Ingress: false, Labels: {} },
]);
const opts = { port: 80, hostNetworkingHost: 'localhost', matchFirstNetwork: true };

const bridgeLabels = {
  __meta_docker_network_id: 'net-bridge',
  __meta_docker_network_name: 'bridge',
  __meta_docker_network_scope: 'local',
  __meta_docker_network_internal: 'false',
  __meta_docker_network_ingress: 'false',
};

const web: ContainerSummary = {
  Id: 'c1',
  Names: ['/web'],
  Labels: { 'com.example.team': 'a', 'ünï-code': 'u' },
  Ports: [
    { IP: '0.0.0.0', PrivatePort: 8080, PublicPort: 18080, Type: 'tcp' },
    { PrivatePort: 9090, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
  ],
  HostConfig: { NetworkMode: 'bridge' },
  NetworkSettings: { Networks: { bridge: { NetworkID: 'net-bridge', IPAddress: '172.17.0.2' } } },
};

describe('dockerTargets', () => {
  it('makes one target per TCP port with the Prometheus label set', () => {
    const common = {
      __meta_docker_container_id: 'c1',
      __meta_docker_container_name: '/web',
      __meta_docker_container_network_mode: 'bridge',
      __meta_docker_container_label_com_example_team: 'a',
      __meta_docker_container_label__n__code: 'u',
      ...bridgeLabels,
      __meta_docker_network_ip: '172.17.0.2',
    };
    expect(dockerTargets([web], networks, opts)).toEqual([
      { ...common, __address__: '172.17.0.2:8080', __meta_docker_port_private: '8080', __meta_docker_port_public: '18080', __meta_docker_port_public_ip: '0.0.0.0' },
      { ...common, __address__: '172.17.0.2:9090', __meta_docker_port_private: '9090' },
    ]);
  });

  it('falls back to the port argument, or host_networking_host in host mode', () => {
    const noPorts: ContainerSummary = { ...web, Id: 'c2', Names: ['/quiet'], Labels: {}, Ports: [{ PrivatePort: 53, Type: 'udp' }] };
    const host: ContainerSummary = {
      Id: 'c3', Names: ['/h'], Ports: [], HostConfig: { NetworkMode: 'host' },
      NetworkSettings: { Networks: { host: { NetworkID: 'net-host', IPAddress: '' } } },
    };
    const [quiet, onHost] = dockerTargets([noPorts, host], networks, { ...opts, port: 9100, hostNetworkingHost: 'example.internal' });
    expect(quiet).toMatchObject({ __address__: '172.17.0.2:9100', __meta_docker_network_ip: '172.17.0.2' });
    expect(quiet).not.toHaveProperty('__meta_docker_port_private');
    expect(onHost).toMatchObject({ __address__: 'example.internal', __meta_docker_network_name: 'host', __meta_docker_container_network_mode: 'host' });
  });

  it('keeps the alphabetically first network unless match_first_network is false', () => {
    const multi: ContainerSummary = {
      Id: 'c4', Names: ['/m'], Ports: [], HostConfig: { NetworkMode: 'bridge' },
      NetworkSettings: {
        Networks: { bridge: { NetworkID: 'net-bridge', IPAddress: '172.17.0.4' }, app: { NetworkID: 'net-app', IPAddress: '10.0.0.4' } },
      },
    };
    const first = dockerTargets([multi], networks, opts);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ __address__: '10.0.0.4:80', __meta_docker_network_name: 'app', __meta_docker_network_internal: 'true', __meta_docker_network_label_com_docker_compose_network: 'app' });
    const all = dockerTargets([multi], networks, { ...opts, matchFirstNetwork: false });
    expect(all.map((t) => t['__address__'])).toEqual(['10.0.0.4:80', '172.17.0.4:80']);
  });

  it('borrows networks through container:<id> chains, keeping its own ports and mode', () => {
    const sidecar: ContainerSummary = { Id: 'c5', Names: ['/sidecar'], Ports: [], HostConfig: { NetworkMode: 'container:c1' }, NetworkSettings: { Networks: {} } };
    const chained: ContainerSummary = { Id: 'c6', Names: ['/chained'], Ports: [], HostConfig: { NetworkMode: 'container:c5' }, NetworkSettings: { Networks: {} } };
    const targets = dockerTargets([web, sidecar, chained], networks, opts).slice(2);
    expect(targets).toEqual([
      expect.objectContaining({ __meta_docker_container_name: '/sidecar', __meta_docker_container_network_mode: 'container:c1', __address__: '172.17.0.2:80', ...bridgeLabels }),
      expect.objectContaining({ __meta_docker_container_name: '/chained', __address__: '172.17.0.2:80' }),
    ]);
  });

  it('skips nameless containers and still targets containers without networks (podman none/host)', () => {
    const none: ContainerSummary = { Id: 'c7', Names: ['/none'], Ports: [], HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: null } };
    const host: ContainerSummary = { Id: 'c8', Names: ['/host'], Ports: [], HostConfig: { NetworkMode: 'host' }, NetworkSettings: { Networks: null } };
    const nameless: ContainerSummary = { ...web, Id: 'c9', Names: [] };
    expect(dockerTargets([none, host, nameless], networks, opts)).toEqual([
      { __meta_docker_container_id: 'c7', __meta_docker_container_name: '/none', __meta_docker_container_network_mode: 'none', __meta_docker_network_ip: '', __address__: ':80' },
      { __meta_docker_container_id: 'c8', __meta_docker_container_name: '/host', __meta_docker_container_network_mode: 'host', __meta_docker_network_ip: '', __address__: 'localhost' },
    ]);
  });

  it('brackets IPv6 addresses', () => {
    const v6: ContainerSummary = { ...web, Id: 'c10', Ports: [], NetworkSettings: { Networks: { bridge: { NetworkID: 'net-bridge', IPAddress: 'fd00::2' } } } };
    expect(dockerTargets([v6], networks, opts)[0]!['__address__']).toBe('[fd00::2]:80');
  });
});

describe('helpers', () => {
  it('sanitizes label names per character', () => {
    expect(sanitizeLabelName('com.docker/compose-project')).toBe('com_docker_compose_project');
    expect(sanitizeLabelName('日本')).toBe('__');
  });

  it('merges filter values by name', () => {
    expect(dockerFilters([{ name: 'label', values: ['a=1'] }, { name: 'status', values: ['running'] }, { name: 'label', values: ['b'] }])).toEqual({
      label: ['a=1', 'b'],
      status: ['running'],
    });
  });
});
