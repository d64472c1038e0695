/**
 * The Docker-compatible API that integration tests use: $DOCKER_HOST when it
 * is a unix socket, else the podman socket `scripts/test-services.sh start`
 * serves (/tmp/podman.sock). Tests skip, saying why, when neither answers.
 *
 * Containers are created from the local busybox image the script imports and
 * carry the label `alloy-ts-test`, so `test-services.sh stop` can remove any
 * a crashed test left behind.
 */
import { existsSync } from 'node:fs';
import Docker from 'dockerode';

export const TEST_IMAGE = 'localhost/local/busybox:latest';
export const TEST_LABEL = 'alloy-ts-test';

export interface DockerForTests {
  /** `unix:///…` for component configs; undefined when unavailable. */
  readonly host: string | undefined;
  readonly client: Docker | undefined;
  /** Why tests skip (empty when available). */
  readonly reason: string;
}

function candidateSocket(): string | undefined {
  const env = process.env['DOCKER_HOST'];
  if (env?.startsWith('unix://')) return env.slice('unix://'.length);
  const podman = process.env['PODMAN_SOCK'] ?? '/tmp/podman.sock';
  return existsSync(podman) ? podman : undefined;
}

async function probe(): Promise<DockerForTests> {
  const socket = candidateSocket();
  if (!socket) {
    const podman = process.env['PODMAN_SOCK'] ?? '/tmp/podman.sock';
    return { host: undefined, client: undefined, reason: `no Docker/podman socket ($DOCKER_HOST not unix://, ${podman} missing): run scripts/test-services.sh start` };
  }
  const client = new Docker({ socketPath: socket });
  try {
    await client.ping();
    await client.getImage(TEST_IMAGE).inspect();
  } catch (err) {
    return { host: undefined, client: undefined, reason: `Docker API at ${socket} unusable (${(err as Error).message.trim()}): run scripts/test-services.sh start` };
  }
  return { host: `unix://${socket}`, client, reason: '' };
}

/** Probed once per test file. */
export const docker: DockerForTests = await probe();
if (!docker.host) console.warn(`[skip] Docker integration tests: ${docker.reason}`);

export interface ContainerSpec {
  readonly name?: string;
  readonly cmd: string[];
  readonly labels?: Record<string, string>;
  readonly network?: string;
  /** Container port → host port published on 127.0.0.1 (0: any free port). */
  readonly ports?: Record<number, number>;
  readonly tty?: boolean;
  /** Create without starting. */
  readonly created?: boolean;
}

/** Creates (and starts) a test container; returns its full ID. */
export async function runContainer(spec: ContainerSpec): Promise<string> {
  const client = docker.client!;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const [port, hostPort] of Object.entries(spec.ports ?? {})) {
    exposed[`${port}/tcp`] = {};
    bindings[`${port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: hostPort ? String(hostPort) : '' }];
  }
  const container = await client.createContainer({
    Image: TEST_IMAGE,
    Cmd: spec.cmd,
    Tty: spec.tty ?? false,
    ...(spec.name ? { name: spec.name } : {}),
    Labels: { [TEST_LABEL]: '1', ...spec.labels },
    ExposedPorts: exposed,
    HostConfig: { NetworkMode: spec.network ?? 'bridge', PortBindings: bindings },
  });
  if (!spec.created) await container.start();
  return container.id;
}

/** Removes containers, ignoring ones already gone. */
export async function removeContainers(ids: Iterable<string>): Promise<void> {
  await Promise.all([...ids].map((id) => docker.client!.getContainer(id).remove({ force: true, v: true }).catch(() => {})));
}

/** Waits until a container has exited. */
export async function waitExited(id: string): Promise<void> {
  await docker.client!.getContainer(id).wait();
}

/** A `discovery.docker "d"` block on the test API, limited by one filter. */
export function discoveryBlock(filter: { name: string; value: string }, refreshInterval = '200ms'): string {
  return `
discovery.docker "d" {
  host             = ${JSON.stringify(docker.host)}
  refresh_interval = "${refreshInterval}"
  filter {
    name   = "${filter.name}"
    values = ["${filter.value}"]
  }
}`;
}

/** A name unique to this test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
