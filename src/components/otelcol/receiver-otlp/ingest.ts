/**
 * What both OTLP transports share: authenticate, hand decoded data to the
 * output consumers, count, and map the outcome to OTLP's statuses.
 *
 * Status mapping (go.opentelemetry.io/collector receiver/otlpreceiver
 * internal/errors): a refusal that may be retried is UNAVAILABLE (HTTP 503),
 * a permanent one INTERNAL (HTTP 500); undecodable requests are
 * INVALID_ARGUMENT (HTTP 400); failed authentication UNAUTHENTICATED (401).
 */
import type { ComponentContext } from '../../../runtime/component.js';
import { AuthError, requireServerAuth, type AuthHandler, type RequestHeaders } from '../config/auth.js';
import { fanOut, isPermanent, type ClientMetadata, type ConsumeContext, type Output } from '../pdata/consumer.js';
import type { Payload } from '../pdata/payload.js';
import { ReceiverMetrics } from '../pdata/receiver-metrics.js';
import type { GrpcArgs, HttpArgs } from '../receiver-otlp.js';

/** gRPC status codes (google.golang.org/grpc/codes). */
export const GRPC = { OK: 0, INVALID_ARGUMENT: 3, NOT_FOUND: 5, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16, UNIMPLEMENTED: 12 } as const;

const HTTP_FOR_GRPC: Record<number, number> = { 3: 400, 5: 404, 12: 404, 13: 500, 14: 503, 16: 401 };

export function httpStatusFor(grpcCode: number): number {
  return HTTP_FOR_GRPC[grpcCode] ?? 500;
}

export class IngestFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RunningServer {
  readonly address: string;
  close(): Promise<void>;
}

export class Ingest {
  private readonly metrics: ReceiverMetrics;

  constructor(
    private readonly ctx: ComponentContext<unknown>,
    private readonly output: () => Output,
  ) {
    this.metrics = new ReceiverMetrics(ctx.registry);
  }

  /** Throws IngestFailure(UNAUTHENTICATED) when the handler refuses the request. */
  async authenticate(handler: AuthHandler | undefined, headers: RequestHeaders): Promise<void> {
    if (!handler) return;
    try {
      await requireServerAuth(handler)(headers);
    } catch (err) {
      if (err instanceof AuthError) throw new IngestFailure(GRPC.UNAUTHENTICATED, err.message);
      throw new IngestFailure(GRPC.INTERNAL, err instanceof Error ? err.message : String(err));
    }
  }

  /** Resolves once every consumer accepted; throws IngestFailure with the status to answer. */
  async accept(payload: Payload, transport: string, metadata: ClientMetadata | undefined): Promise<void> {
    const { signal, items } = payload;
    const consumers = this.output()[signal];
    const ctx: ConsumeContext = metadata ? { metadata } : {};
    this.ctx.debug(() => `${signal}: ${items} ${signal === 'traces' ? 'spans' : signal === 'metrics' ? 'data points' : 'log records'} over ${transport}`);
    try {
      await fanOut(consumers, payload, ctx);
      this.metrics.record(signal, transport, items, true);
    } catch (err) {
      this.metrics.record(signal, transport, items, false);
      const message = err instanceof Error ? err.message : String(err);
      throw new IngestFailure(isPermanent(err) ? GRPC.INTERNAL : GRPC.UNAVAILABLE, message);
    }
  }
}

/** Starts the configured servers; if one fails to start, the others are closed again. */
export async function startServers(ingest: Ingest, grpc: GrpcArgs | undefined, http: HttpArgs | undefined): Promise<RunningServer[]> {
  const started: RunningServer[] = [];
  try {
    if (grpc) started.push(await (await import('./grpc-server.js')).startGrpcServer(ingest, grpc));
    if (http) started.push(await (await import('./http-server.js')).startHttpServer(ingest, http));
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return started;
}

/** Request headers as client metadata (lower-case names), for `include_metadata`. */
export function metadataOf(headers: RequestHeaders): ClientMetadata {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out.set(k.toLowerCase(), Array.isArray(v) ? [...(v as string[])] : [v as string]);
  }
  return out;
}
