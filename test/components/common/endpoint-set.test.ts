import { describe, expect, it } from 'vitest';
import { EndpointSet } from '../../../src/components/common/endpoint-set.js';

class FakeEndpoint {
  stopped = false;
  readonly sent: string[] = [];
  constructor(readonly name: string) {}
  async stop(): Promise<void> {
    this.stopped = true;
  }
  debugInfo(): unknown {
    return { name: this.name };
  }
}

describe('EndpointSet', () => {
  it('starts all or none: a failing start stops the ones already started and rethrows', async () => {
    const started: FakeEndpoint[] = [];
    const start = async (name: string) => {
      if (name === 'bad') throw new Error('cannot start bad');
      const e = new FakeEndpoint(name);
      started.push(e);
      return e;
    };
    await expect(EndpointSet.start(['a', 'b', 'bad', 'c'], start)).rejects.toThrow('cannot start bad');
    expect(started.map((e) => [e.name, e.stopped])).toEqual([['a', true], ['b', true]]);
  });

  it('settles a batch only once every endpoint is done with it, and passes a failure on', async () => {
    const set = await EndpointSet.start(['a', 'b'], async (name) => new FakeEndpoint(name));
    let releaseB!: () => void;
    let settled = false;
    const done = set
      .each((e) => (e.name === 'a' ? Promise.resolve() : new Promise<void>((r) => (releaseB = r))))
      .then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    releaseB();
    await done;
    expect(settled).toBe(true);
    await expect(set.each((e) => (e.name === 'b' ? Promise.reject(new Error('b down')) : Promise.resolve()))).rejects.toThrow('b down');
  });

  it('stops every endpoint and reports each one', async () => {
    const set = await EndpointSet.start(['a', 'b'], async (name) => new FakeEndpoint(name));
    expect(set.debugInfo()).toEqual({ endpoints: [{ name: 'a' }, { name: 'b' }] });
    await set.stop();
    expect(set.endpoints.every((e) => e.stopped)).toBe(true);
  });
});
