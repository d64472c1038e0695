/**
 * A writer's per-endpoint senders handled as one (loki.write's endpoints,
 * prometheus.remote_write's queues): started all or none, each batch handed
 * to every endpoint, stopped together. Its promise per batch settles once
 * every endpoint is done with it, so acknowledgements wait for the slowest.
 */
export interface EndpointSender {
  stop(): Promise<void>;
  debugInfo(): unknown;
}

export class EndpointSet<E extends EndpointSender> {
  private constructor(readonly endpoints: readonly E[]) {}

  /** One sender per configuration; if one fails to start, those already started are stopped and the error rethrown. */
  static async start<C, E extends EndpointSender>(configs: readonly C[], start: (config: C) => Promise<E>): Promise<EndpointSet<E>> {
    const started: E[] = [];
    try {
      for (const config of configs) started.push(await start(config));
    } catch (err) {
      await Promise.all(started.map((e) => e.stop()));
      throw err;
    }
    return new EndpointSet(started);
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** Hands work to every endpoint; settles once each is done with it (no extra promise for a single endpoint). */
  each(send: (endpoint: E) => Promise<void>): Promise<void> {
    if (this.endpoints.length === 1) return send(this.endpoints[0]!);
    return Promise.all(this.endpoints.map(send)).then(() => {});
  }

  stop(): Promise<void> {
    return this.each((e) => e.stop());
  }

  debugInfo(): unknown {
    return { endpoints: this.endpoints.map((e) => e.debugInfo()) };
  }
}
