/**
 * Hostile inputs through the real launcher (issue 15 items 1 and 8): 1 MiB
 * of NUL bytes (what a power loss can leave), of `@ @ @ …` and of random
 * bytes must each get a bounded report from validate, fmt and run, with
 * the process's peak RSS under 150 MiB; expressions of 5,000 and 100,000
 * terms must evaluate (or get a positioned diagnostic), never overflow the
 * stack. Peak RSS is what the kernel reports for the spawned process
 * (getrusage's maxRSS, written to fd 3 as it exits), not a wall time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './repo-paths.js';

const bin = path.join(repoRoot, 'bin', 'alloy-ts');
const hasDist = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 2 ** 20;
const PEAK_RSS_LIMIT_KIB = 150 * 1024;
/** Generous: a bounded report is a few tens of KiB; the old one was 95 MB. */
const REPORT_LIMIT_BYTES = 256 * 1024;

/** Writes the process's peak RSS (KiB) to fd 3 when it exits. */
const PEAK_RSS_PRELOAD =
  'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>{try{writeSync(3,String(process.resourceUsage().maxRSS))}catch{}})';

interface Outcome {
  code: number | null;
  /** Sizes of what the process printed; only the tail of stderr is kept. */
  stdoutBytes: number;
  stderrBytes: number;
  stderrTail: string;
  peakRssKiB: number;
}

function alloyTs(args: string[], timeoutMs = 60_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--import=${PEAK_RSS_PRELOAD}`, bin, ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const out: Outcome = { code: null, stdoutBytes: 0, stderrBytes: 0, stderrTail: '', peakRssKiB: 0 };
    let rss = '';
    child.stdout!.on('data', (b: Buffer) => (out.stdoutBytes += b.length));
    child.stderr!.on('data', (b: Buffer) => {
      out.stderrBytes += b.length;
      out.stderrTail = (out.stderrTail + b.toString('utf8')).slice(-4096);
    });
    child.stdio[3]!.on('data', (b: Buffer) => (rss += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`alloy-ts ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      out.code = code;
      out.peakRssKiB = Number(rss);
      resolve(out);
    });
  });
}

/** A deterministic PRNG (mulberry32), so "random bytes" are the same in every run. */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let a = seed;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

const inputs: Record<string, Buffer> = {
  'nul.alloy': Buffer.alloc(MIB),
  'at.alloy': Buffer.from('@ '.repeat(MIB / 2)),
  'random.alloy': randomBytes(MIB, 15),
  // Valid UTF-8 garbage gets past validate's encoding check into the parser.
  'random-ascii.alloy': Buffer.from(randomBytes(MIB, 16).map((b) => 0x20 + (b % 95))),
};
for (const [name, bytes] of Object.entries(inputs)) writeFileSync(path.join(dir, name), bytes);

const commands: Record<string, (file: string) => string[]> = {
  validate: (file) => ['validate', file],
  fmt: (file) => ['fmt', file],
  run: (file) => ['run', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`, file],
};

describe.skipIf(!hasDist)(`1 MiB of garbage${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  for (const name of Object.keys(inputs)) {
    for (const [command, args] of Object.entries(commands)) {
      it(`${command} ${name}: a bounded report, peak RSS under 150 MiB`, async () => {
        const r = await alloyTs(args(name));
        expect(r.code).toBe(1);
        expect(r.stderrTail).not.toMatch(/Maximum call stack|heap out of memory|\n\s+at /);
        expect(r.stdoutBytes + r.stderrBytes).toBeLessThan(REPORT_LIMIT_BYTES);
        expect(r.peakRssKiB).toBeGreaterThan(0);
        expect(r.peakRssKiB).toBeLessThan(PEAK_RSS_LIMIT_KIB);
        if (name === 'random.alloy' && command !== 'fmt') {
          // Not UTF-8: Alloy refuses such a file before parsing it.
          expect(r.stderrTail).toMatch(/unknown encoding for config/);
          return;
        }
        const more = /\(and (\d+) more diagnostics\)\n/.exec(r.stderrTail);
        expect(more, r.stderrTail.slice(-500)).not.toBeNull();
        // Every bad byte is still counted (Alloy's scanner reports each).
        if (name === 'nul.alloy') expect(Number(more![1])).toBeGreaterThan(2 * MIB - 200);
        if (name === 'at.alloy') expect(Number(more![1])).toBeGreaterThan(MIB / 2 - 200);
      });
    }
  }

  it('validate of 100,000 NUL bytes lists the first 100 diagnostics with excerpts cut around the column', async () => {
    writeFileSync(path.join(dir, 'nul100k.alloy'), Buffer.alloc(100_000));
    const r = await alloyTs(['validate', 'nul100k.alloy']);
    expect(r.code).toBe(1);
    expect(r.stderrTail).toMatch(/\n\(and 199\d{3} more diagnostics\)\n\nError: validation failed\n$/);
    // The one-line file is never printed whole: each excerpt is a window marked with "…".
    expect(r.stderrBytes).toBeLessThan(100 * 3 * 400);
  });
});

// ---------------------------------------------------------------------------
// Deep expressions

function deepConfig(terms: number, term: string, op: string): string {
  return `local.file "x" {\n  filename = ${Array(terms).fill(term).join(` ${op} `)}\n}\n`;
}

describe.skipIf(!hasDist)('deep expressions in validate', () => {
  it.each([5_000, 100_000])('%i-term string concatenation validates', async (terms) => {
    writeFileSync(path.join(dir, `concat-${terms}.alloy`), deepConfig(terms, '"a"', '+'));
    const r = await alloyTs(['validate', `concat-${terms}.alloy`]);
    expect([r.code, r.stderrTail]).toEqual([0, '']);
  });

  it.each([5_000, 100_000])('%i-term boolean chain gets its positioned type error', async (terms) => {
    writeFileSync(path.join(dir, `or-${terms}.alloy`), deepConfig(terms, 'false', '||'));
    const r = await alloyTs(['validate', `or-${terms}.alloy`]);
    expect(r.code).toBe(1);
    expect(r.stderrTail).toMatch(/Error: or-\d+\.alloy:2:14: false \|\| false .*…? should be string, got bool\n/);
    expect(r.stderrBytes).toBeLessThan(8192); // the expression's text is cut, not printed whole
  });
});
