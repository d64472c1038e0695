/** discovery.docker against a real Docker API (podman from scripts/test-services.sh). */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../support/harness.js';
import { discoveryBlock, docker, removeContainers, runContainer, uniqueName } from '../support/podman.js';

const run = uniqueName('disc');
const created: string[] = [];
const harnesses: Harness[] = [];

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await removeContainers(created);
});

async function start(cmd = ['sleep', '600'], extra: Parameters<typeof runContainer>[0] extends infer S ? Partial<S> : never = {}): Promise<string> {
  const id = await runContainer({ cmd, labels: { 'alloy-ts.run': run }, ...extra });
  created.push(id);
  return id;
}

const config = () => discoveryBlock({ name: 'label', value: `alloy-ts.run=${run}` });

describe.skipIf(!docker.host)(`discovery.docker with a real Docker API${docker.host ? '' : ` (skipped: ${docker.reason})`}`, () => {
  it('labels bridge containers with ports, no-network containers, and follows start/stop', async () => {
    const name = uniqueName('web');
    const web = await start(['sleep', '600'], { name, ports: { 8080: 0, 9000: 0 }, labels: { 'alloy-ts.run': run, 'com.example.role': 'web' } });
    const isolated = await start(['sleep', '600'], { network: 'none' });
    const h = await Harness.start(config());
    harnesses.push(h);

    const byContainer = () => {
      const groups = new Map<string, Record<string, string>[]>();
      for (const t of h.targets('discovery.docker.d')) groups.set(t['__meta_docker_container_id']!, [...(groups.get(t['__meta_docker_container_id']!) ?? []), t]);
      return groups;
    };
    await eventually(() => byContainer().size === 2, 'targets for both containers');
    const webTargets = byContainer().get(web)!.sort((a, b) => a['__address__']!.localeCompare(b['__address__']!));
    expect(webTargets).toHaveLength(2);
    const ip = webTargets[0]!['__meta_docker_network_ip']!;
    expect(ip).toMatch(/^10\.88\.\d+\.\d+$/);
    expect(webTargets.map((t) => t['__address__'])).toEqual([`${ip}:8080`, `${ip}:9000`]);
    expect(webTargets[0]).toMatchObject({
      __meta_docker_container_name: `/${name}`,
      __meta_docker_container_network_mode: 'bridge',
      __meta_docker_container_label_com_example_role: 'web',
      __meta_docker_port_private: '8080',
      __meta_docker_port_public_ip: '127.0.0.1',
      __meta_docker_network_scope: 'local',
      __meta_docker_network_internal: 'false',
      __meta_docker_network_ingress: 'false',
    });
    expect(webTargets[0]!['__meta_docker_port_public']).toMatch(/^\d+$/);
    expect(webTargets[0]!['__meta_docker_network_id']).toMatch(/^[0-9a-f]{64}$/);
    expect(byContainer().get(isolated)).toEqual([
      expect.objectContaining({ __address__: ':80', __meta_docker_network_ip: '', __meta_docker_container_network_mode: 'none' }),
    ]);
    expect(h.health('discovery.docker.d')?.state).toBe('healthy');

    const late = await start();
    await eventually(() => byContainer().has(late), 'a started container appears');
    await docker.client!.getContainer(late).stop({ t: 0 });
    await eventually(() => !byContainer().has(late), 'a stopped container disappears');
  });

  it('reports an unreachable host as unhealthy', async () => {
    const h = await Harness.start(`discovery.docker "bad" {
  host             = "unix:///nonexistent/docker.sock"
  refresh_interval = "1h"
}`);
    harnesses.push(h);
    await eventually(() => h.health('discovery.docker.bad')?.state === 'unhealthy', 'unhealthy');
    expect(h.health('discovery.docker.bad')?.message).toMatch(/refresh failed: .*ENOENT/);
    expect(h.targets('discovery.docker.bad')).toEqual([]);
  });
});
