import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../../src/runtime/queue.js';
import { health, leastHealthy } from '../../src/runtime/health.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe('CoalescingQueue', () => {
  it('coalesces a key that is already waiting', async () => {
    const q = new CoalescingQueue(1);
    const runs: string[] = [];
    let release!: () => void;
    q.submit('blocker', () => new Promise<void>((r) => (release = r)));
    q.submit('a', async () => void runs.push('a1'));
    q.submit('a', async () => void runs.push('a2'));
    release();
    await q.idle();
    expect(runs).toEqual(['a1']);
  });

  it('never runs a key concurrently with itself but reruns it once after', async () => {
    const q = new CoalescingQueue(4);
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const task = async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      runs++;
      await tick();
      concurrent--;
    };
    q.submit('k', task);
    await Promise.resolve();
    q.submit('k', task);
    q.submit('k', task);
    await q.idle();
    expect(maxConcurrent).toBe(1);
    expect(runs).toBe(2);
  });

  it('reports task errors and keeps going', async () => {
    const errors: string[] = [];
    const q = new CoalescingQueue(2, (key) => errors.push(key));
    let ok = false;
    q.submit('bad', async () => {
      throw new Error('boom');
    });
    q.submit('good', async () => void (ok = true));
    await q.idle();
    expect(errors).toEqual(['bad']);
    expect(ok).toBe(true);
  });
});

describe('leastHealthy', () => {
  it('prefers the worst state, then the most recent', () => {
    const t0 = new Date(1000);
    const t1 = new Date(2000);
    expect(leastHealthy(health('healthy', 'a', t1), health('unhealthy', 'b', t0)).message).toBe('b');
    expect(leastHealthy(health('unhealthy', 'old', t0), health('unhealthy', 'new', t1)).message).toBe('new');
    expect(leastHealthy(undefined, health('exited', 'x', t0)).state).toBe('exited');
  });
});
