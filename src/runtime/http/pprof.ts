/**
 * `/debug/pprof/profile` and `/debug/pprof/heap` (`--server.http.enable-pprof`,
 * as Alloy serves Go's net/http/pprof): V8's CPU profile and sampling heap
 * profile, taken in-process through node:inspector, answered in pprof's
 * gzipped protobuf format (github.com/google/pprof proto/profile.proto), so
 * `go tool pprof` and Pyroscope read them. The encoding is pprof-format's
 * (loaded only when a profile is asked for).
 *
 * Like Go's handlers: `seconds` defaults to 30, one CPU profile at a time
 * (a second one gets 500), a bad `seconds` gets 400. The heap profile shows
 * the live objects V8's sampling heap profiler has seen since the server
 * started (Go's heap profile is always on too, at one sample per 512 KiB).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';

/** Go's runtime.MemProfileRate: one heap sample per 512 KiB allocated on average. */
const HEAP_SAMPLING_BYTES = 512 * 1024;
/** Go's CPU profiler runs at 100 Hz. */
const CPU_SAMPLING_MICROS = 10_000;
const DEFAULT_CPU_SECONDS = 30;

/** A call frame as V8's profilers report it. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** A node of a V8 profile tree: its frame and the values attributed to the frame itself. */
interface ProfileTreeNode {
  frame: CallFrame;
  parent: ProfileTreeNode | undefined;
  values: number[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
}

interface HeapNode {
  id: number;
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

interface SamplingHeapProfile {
  head: HeapNode;
  samples: { size: number; nodeId: number }[];
}

export class PprofHandler {
  private readonly session = new Session();
  private cpuBusy = false;
  private heapStarted: Promise<void> | undefined;

  constructor() {
    this.session.connect();
  }

  /** Starts the heap sampler, so that the first heap profile already shows what was allocated since. */
  startHeapSampling(): Promise<void> {
    this.heapStarted ??= this.session.post('HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_BYTES }).then(() => undefined);
    return this.heapStarted;
  }

  close(): void {
    this.session.disconnect();
  }

  /** Answers `/debug/pprof/<rest>`; false when `rest` is not a profile this server offers. */
  async serve(req: IncomingMessage, res: ServerResponse, rest: string, query: URLSearchParams): Promise<boolean> {
    if (rest === 'profile') await this.cpu(req, res, query);
    else if (rest === 'heap') await this.heap(res);
    else return false;
    return true;
  }

  private async cpu(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const seconds = query.has('seconds') ? Number(query.get('seconds')) : DEFAULT_CPU_SECONDS;
    if (!Number.isInteger(seconds) || seconds <= 0) return plain(res, 400, 'bad seconds');
    if (this.cpuBusy) return plain(res, 500, 'Could not enable CPU profiling: cpu profiling already in use');
    this.cpuBusy = true;
    try {
      await this.session.post('Profiler.enable');
      await this.session.post('Profiler.setSamplingInterval', { interval: CPU_SAMPLING_MICROS });
      await this.session.post('Profiler.start');
      await untilElapsedOrGone(req, res, seconds * 1000);
      const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
      await this.session.post('Profiler.disable');
      if (res.destroyed) return;
      send(res, await encodeCpuProfile(profile));
    } finally {
      this.cpuBusy = false;
    }
  }

  private async heap(res: ServerResponse): Promise<void> {
    await this.startHeapSampling();
    const { profile } = (await this.session.post('HeapProfiler.getSamplingProfile')) as unknown as { profile: SamplingHeapProfile };
    send(res, await encodeHeapProfile(profile));
  }
}

/** Waits `ms`, or less if the client went away (Go's handler stops when the request's context ends). */
function untilElapsedOrGone(req: IncomingMessage, res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
    // A profile takes longer than the idle timeout: no timeout while it runs.
    req.socket.setTimeout(0);
  });
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(`${body}\n`);
}

/** As Go's pprof handlers answer: an attachment of gzipped protobuf. */
function send(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': 'attachment; filename="profile"',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': body.length,
  });
  res.end(body);
}

async function encodeCpuProfile(profile: CpuProfile): Promise<Buffer> {
  const byId = new Map<number, ProfileTreeNode>();
  const rawById = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const intervalNs = CPU_SAMPLING_MICROS * 1000;
  const node = (id: number): ProfileTreeNode => {
    let out = byId.get(id);
    if (out) return out;
    const raw = rawById.get(id)!;
    const parentId = parentOf.get(id);
    const hits = raw.hitCount ?? 0;
    out = { frame: raw.callFrame, parent: parentId === undefined ? undefined : node(parentId), values: [hits, hits * intervalNs] };
    byId.set(id, out);
    return out;
  };
  const nodes = profile.nodes.map((n) => node(n.id));
  return encode({
    sampleTypes: [['samples', 'count'], ['cpu', 'nanoseconds']],
    periodType: ['cpu', 'nanoseconds'],
    period: intervalNs,
    durationNanos: Math.max(0, profile.endTime - profile.startTime) * 1000,
    nodes,
  });
}

async function encodeHeapProfile(profile: SamplingHeapProfile): Promise<Buffer> {
  const counts = new Map<number, number>();
  for (const s of profile.samples) counts.set(s.nodeId, (counts.get(s.nodeId) ?? 0) + 1);
  const nodes: ProfileTreeNode[] = [];
  const visit = (n: HeapNode, parent: ProfileTreeNode | undefined) => {
    const node: ProfileTreeNode = { frame: n.callFrame, parent, values: [counts.get(n.id) ?? 0, n.selfSize] };
    nodes.push(node);
    for (const c of n.children) visit(c, node);
  };
  visit(profile.head, undefined);
  return encode({ sampleTypes: [['inuse_objects', 'count'], ['inuse_space', 'bytes']], periodType: ['space', 'bytes'], period: HEAP_SAMPLING_BYTES, durationNanos: 0, nodes });
}

interface ProfileShape {
  sampleTypes: [string, string][];
  periodType: [string, string];
  period: number;
  durationNanos: number;
  nodes: ProfileTreeNode[];
}

/**
 * Builds the pprof message: one location per tree node (one line: its
 * frame), one function per distinct frame, one sample per node with values,
 * its stack leaf first. V8's synthetic root frame is left out of stacks
 * (except for values on the root itself).
 */
async function encode(shape: ProfileShape): Promise<Buffer> {
  const pprof = await import('pprof-format');
  const strings = new pprof.StringTable();
  const functions = new Map<string, InstanceType<typeof pprof.Function>>();
  const locations = new Map<ProfileTreeNode, InstanceType<typeof pprof.Location>>();
  const functionOf = (f: CallFrame) => {
    const key = `${f.functionName}\0${f.url}\0${f.lineNumber}`;
    let fn = functions.get(key);
    if (!fn) {
      const name = strings.dedup(f.functionName || '(anonymous)');
      fn = new pprof.Function({ id: functions.size + 1, name, systemName: name, filename: strings.dedup(f.url), startLine: f.lineNumber + 1 });
      functions.set(key, fn);
    }
    return fn;
  };
  const locationOf = (n: ProfileTreeNode) => {
    let loc = locations.get(n);
    if (!loc) {
      loc = new pprof.Location({ id: locations.size + 1, line: [new pprof.Line({ functionId: functionOf(n.frame).id, line: n.frame.lineNumber + 1, column: n.frame.columnNumber + 1 })] });
      locations.set(n, loc);
    }
    return loc;
  };
  const samples = [];
  for (const n of shape.nodes) {
    if (n.values.every((v) => v === 0)) continue;
    const stack: number[] = [];
    for (let at: ProfileTreeNode | undefined = n; at?.parent !== undefined; at = at.parent) stack.push(Number(locationOf(at).id));
    // Values on the root itself (V8 rarely attributes a tick there) keep the root as their one frame.
    if (stack.length === 0) stack.push(Number(locationOf(n).id));
    samples.push(new pprof.Sample({ locationId: stack, value: n.values }));
  }
  const profile = new pprof.Profile({
    sampleType: shape.sampleTypes.map(([type, unit]) => new pprof.ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) })),
    sample: samples,
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    timeNanos: BigInt(Date.now()) * 1_000_000n,
    durationNanos: shape.durationNanos,
    periodType: new pprof.ValueType({ type: strings.dedup(shape.periodType[0]), unit: strings.dedup(shape.periodType[1]) }),
    period: shape.period,
  });
  const { gzipSync } = await import('node:zlib'); // loaded with the first profile, not at every start
  return gzipSync(profile.encode());
}
