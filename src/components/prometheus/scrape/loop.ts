/**
 * One target's scrape loop (Prometheus scrape/scrape.go scrapeLoop): first scrape at the target's own
 * offset within the interval, then every interval (ticks missed by a slow
 * scrape or a busy pipeline are skipped, not queued). Each scrape fetches
 * the body (over HTTP, or in-process for the agent's in-memory address),
 * turns it into samples through the target's series cache, adds the report
 * series (`up`, `scrape_duration_seconds`, …) and forwards one batch.
 *
 * Backpressure: a loop keeps at most MAX_PENDING_PUSHES batches waiting for
 * acknowledgement; while that many are pending it does not scrape, so a
 * stalled writer slows scraping instead of growing memory.
 *
 * When its target disappears the loop writes staleness markers for the
 * target's series — after waiting a little over two intervals, in case the
 * target is recreated (Prometheus' end-of-run staleness). A loop stopped
 * because the component stops writes none.
 */
import { STATUS_CODES } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import type { InternalRequestInit, InternalResponse } from '../../../runtime/component.js';
import type { Logger } from '../../../runtime/logger.js';
import type { HttpClient } from '../../common/http-client.js';
import { SampleBatchBuilder, type SampleBatch, type SeriesLabels } from '../../common/metric-samples.js';
import type { ExpositionFormat } from './text-parser.js';
import { sleep } from '../../common/until-aborted.js';
import { reportSeries, ScrapeError, TargetSeries, type ScrapeAppender, type ScrapeCounts, type SeriesOptions } from './series.js';
import { scrapeOffsetMs, type ScrapeTarget } from './target.js';

const gunzipAsync = promisify(gunzip);

/** Batches a loop may have waiting for acknowledgement before it pauses scraping. */
const MAX_PENDING_PUSHES = 8;

/** Settings shared by every loop of a component. */
export interface LoopSettings extends SeriesOptions {
  /** 0 = unlimited. */
  readonly bodySizeLimit: number;
  readonly extraMetrics: boolean;
  readonly accept: string;
  readonly enableCompression: boolean;
  readonly fallbackFormat: ExpositionFormat;
}

/** What loops need from their component. */
export interface LoopContext {
  readonly client: () => HttpClient;
  readonly memoryAddr: string;
  readonly internalRequest: ((path: string, init?: InternalRequestInit) => Promise<InternalResponse>) | undefined;
  readonly send: (batch: SampleBatch) => Promise<void>;
  readonly logger: Logger;
  /** Spreads this agent's targets differently from another agent's. */
  readonly offsetSeed: number;
  readonly userAgent: string;
}

export interface TargetStatus {
  readonly health: 'unknown' | 'up' | 'down';
  readonly lastError: string;
  readonly lastScrape: Date | undefined;
  readonly lastScrapeDurationMs: number;
}

interface Scraped {
  readonly counts: ScrapeCounts;
  /** Body bytes (uncompressed). */
  readonly bytes: number;
  /** Time spent parsing while the body was read, which is not part of the scrape's duration. */
  readonly parseMs: number;
}

const REPORT_NAMES = [
  'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added',
  'scrape_timeout_seconds', 'scrape_sample_limit', 'scrape_body_size_bytes',
] as const;
type ReportName = (typeof REPORT_NAMES)[number];
/** The first five are always sent; the rest with extra_metrics. */
const BASE_REPORTS = 5;

export class ScrapeLoop {
  private settings: LoopSettings;
  private series: TargetSeries;
  private seriesReset = false;
  private readonly report: Record<ReportName, SeriesLabels>;
  private readonly stopper = new AbortController();
  /** Aborts an end-of-run staleness wait (the component stops). */
  private readonly endOfRun = new AbortController();
  private staleOnStop = false;
  private pendingPushes = 0;
  private pushSettled: (() => void) | undefined;
  private lastScrapeAt = 0;
  /**
   * The latest batch whose push resolved: the next scrape refills its arrays
   * (a large target's would otherwise be allocated every scrape, live until
   * acknowledged and end up as garbage in V8's old generation).
   */
  private spareBatch: SampleBatch | undefined;
  status: TargetStatus = { health: 'unknown', lastError: '', lastScrape: undefined, lastScrapeDurationMs: 0 };
  readonly done: Promise<void>;

  constructor(
    readonly target: ScrapeTarget,
    settings: LoopSettings,
    private readonly ctx: LoopContext,
  ) {
    this.settings = settings;
    this.series = new TargetSeries(target.labels, settings);
    this.report = Object.fromEntries(REPORT_NAMES.map((n) => [n, reportSeries(n, target.labels)])) as Record<ReportName, SeriesLabels>;
    this.done = this.run().catch((err: unknown) => ctx.logger.error('scrape loop failed', { target: target.url.href, err: err as Error }));
  }

  /** New component settings; series-related changes start a fresh cache (old series are marked stale). */
  update(settings: LoopSettings): void {
    const s = this.settings;
    if (s.honorLabels !== settings.honorLabels || s.honorTimestamps !== settings.honorTimestamps || s.validation !== settings.validation ||
        s.trackTimestampsStaleness !== settings.trackTimestampsStaleness || s.sampleLimit !== settings.sampleLimit) {
      this.seriesReset = true;
    }
    this.settings = settings;
  }

  /** Stops scraping; with `staleness`, the target's series are marked stale before `done` resolves. */
  stop(staleness: boolean): Promise<void> {
    this.staleOnStop = staleness;
    this.stopper.abort();
    return this.done;
  }

  /** Abandons a pending end-of-run staleness wait (the component is stopping). */
  cancel(): void {
    this.staleOnStop = false;
    this.stopper.abort();
    this.endOfRun.abort();
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    const { intervalMs } = this.target;
    await sleep(scrapeOffsetMs(this.target, this.ctx.offsetSeed, Date.now()), signal);
    let next = performance.now();
    while (!signal.aborted) {
      await this.waitForRoom(signal);
      if (signal.aborted) break;
      await this.scrapeOnce();
      next += intervalMs;
      const now = performance.now();
      if (next <= now) next += Math.ceil((now - next) / intervalMs) * intervalMs;
      await sleep(next - now, signal);
    }
    if (this.staleOnStop && this.lastScrapeAt > 0) await this.endOfRunStaleness(next);
  }

  /** Scrapes once and forwards the samples and report series. */
  private async scrapeOnce(): Promise<void> {
    const timestamp = Date.now();
    const started = performance.now();
    let out = this.builder();
    if (this.seriesReset) this.resetSeries(timestamp, out);
    let counts: ScrapeCounts = { scraped: 0, appended: 0, added: 0 };
    let error: string | undefined;
    let bytes = 0;
    let durationMs = 0;
    try {
      const scraped = await this.scrape(timestamp, out);
      durationMs = performance.now() - started - scraped.parseMs;
      bytes = scraped.bytes;
      counts = scraped.counts;
    } catch (err) {
      if (this.stopper.signal.aborted) return; // stopping: a cut-short scrape is not a failed one
      durationMs ||= performance.now() - started;
      error = (err as Error).message;
      out = this.builder();
      this.series.markAllStale(timestamp, out);
    }
    this.appendReport(out, timestamp, { up: error === undefined, durationMs, counts, bytes });
    this.lastScrapeAt = timestamp;
    this.status = { health: error === undefined ? 'up' : 'down', lastError: error ?? '', lastScrape: new Date(timestamp), lastScrapeDurationMs: durationMs };
    if (error !== undefined) this.ctx.logger.debug('scrape failed', { target: this.target.url.href, err: error });
    this.push(out.finish(this.series.familyMetadata));
  }

  private builder(): SampleBatchBuilder {
    const spare = this.spareBatch;
    this.spareBatch = undefined;
    return new SampleBatchBuilder(this.series.lastSize + REPORT_NAMES.length, spare);
  }

  private resetSeries(timestamp: number, out: SampleBatchBuilder): void {
    this.series.markAllStale(timestamp, out);
    this.series = new TargetSeries(this.target.labels, this.settings);
    this.seriesReset = false;
  }

  private appendReport(out: SampleBatchBuilder, timestamp: number, r: { up: boolean; durationMs: number; counts: ScrapeCounts; bytes: number }): void {
    const report = this.report;
    out.add(report.up, r.up ? 1 : 0, timestamp);
    out.add(report.scrape_duration_seconds, r.durationMs / 1000, timestamp);
    out.add(report.scrape_samples_scraped, r.counts.scraped, timestamp);
    out.add(report.scrape_samples_post_metric_relabeling, r.counts.appended, timestamp);
    out.add(report.scrape_series_added, r.counts.added, timestamp);
    if (!this.settings.extraMetrics) return;
    out.add(report.scrape_timeout_seconds, this.target.timeoutMs / 1000, timestamp);
    out.add(report.scrape_sample_limit, this.settings.sampleLimit, timestamp);
    out.add(report.scrape_body_size_bytes, r.up ? r.bytes : 0, timestamp);
  }

  private reportNames(): readonly ReportName[] {
    return this.settings.extraMetrics ? REPORT_NAMES : REPORT_NAMES.slice(0, BASE_REPORTS);
  }

  /** Waits a little over two intervals, then marks the series and report series stale at the next tick's time. */
  private async endOfRunStaleness(nextTick: number): Promise<void> {
    const signal = this.endOfRun.signal;
    await sleep(nextTick - performance.now(), signal);
    const staleAt = Date.now();
    await sleep(this.target.intervalMs * 1.1, signal);
    if (signal.aborted) return;
    const out = new SampleBatchBuilder(this.series.lastSize + REPORT_NAMES.length);
    this.series.markAllStale(staleAt, out);
    for (const name of this.reportNames()) out.addStale(this.report[name], staleAt);
    await this.ctx.send(out.finish()).catch((err: unknown) => this.ctx.logger.debug('could not send staleness markers', { err: err as Error }));
  }

  // -------------------------------------------------------------------------
  // Forwarding with a bounded number of pending pushes

  private push(batch: SampleBatch): void {
    this.pendingPushes++;
    this.ctx.send(batch).then(
      () => {
        this.spareBatch = batch; // acknowledged: no receiver holds it any more
        this.pushDone();
      },
      (err: unknown) => {
        // A refused scrape is lost, as when Prometheus' append commit fails (logged at error
        // there, prometheus/scrape/scrape.go "Scrape commit failed"); while stopping it is expected.
        const log = this.stopper.signal.aborted ? this.ctx.logger.debug : this.ctx.logger.error;
        log.call(this.ctx.logger, 'scrape commit failed: samples not delivered', { target: this.target.url.href, err: err as Error });
        this.pushDone();
      },
    );
  }

  private pushDone(): void {
    this.pendingPushes--;
    this.pushSettled?.();
  }

  private async waitForRoom(signal: AbortSignal): Promise<void> {
    while (this.pendingPushes >= MAX_PENDING_PUSHES && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.pushSettled = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  // -------------------------------------------------------------------------
  // Fetching

  /**
   * Fetches the target and parses the body chunk by chunk as it arrives,
   * into the series cache and `out`: the body is never held whole (a large
   * target's would be megabytes per scrape). The time spent parsing is
   * measured so that it can be left out of the scrape's duration, which in
   * Prometheus covers reading the body but not appending its samples; it
   * does count against the scrape timeout.
   */
  private async scrape(timestamp: number, out: SampleBatchBuilder): Promise<Scraped> {
    const signal = AbortSignal.any([this.stopper.signal, AbortSignal.timeout(this.target.timeoutMs)]);
    const headers = this.requestHeaders();
    const { url } = this.target;
    const res = this.target.address === this.ctx.memoryAddr && this.ctx.internalRequest
      ? await this.ctx.internalRequest(url.pathname + url.search, { headers, signal }).then(internalResponse)
      : await this.httpRequest(url, headers, signal);
    if (res.status !== 200) throw new ScrapeError(`server returned HTTP status ${res.status} ${STATUS_CODES[res.status] ?? ''}`.trim());
    const appender = this.series.begin(this.formatOf(res.contentType), timestamp, out);
    try {
      return await this.readBody(res, appender);
    } catch (err) {
      appender.abandon();
      throw err;
    }
  }

  private async readBody(res: RawResponse, appender: ScrapeAppender): Promise<Scraped> {
    const limit = this.settings.bodySizeLimit;
    let bytes = 0;
    let parseMs = 0;
    for await (const chunk of await this.bodyChunks(res)) {
      bytes += chunk.length;
      if (limit > 0 && bytes > limit) throw new ScrapeError('body size limit exceeded'); // leaving the loop destroys the stream
      const before = performance.now();
      appender.write(chunk);
      parseMs += performance.now() - before;
    }
    const before = performance.now();
    const counts = appender.end();
    parseMs += performance.now() - before;
    return { counts, bytes, parseMs };
  }

  /** The body's (uncompressed) chunks as they arrive. */
  private async bodyChunks(res: RawResponse): Promise<AsyncIterable<Buffer> | Iterable<Buffer>> {
    const gzip = res.encoding === 'gzip';
    if (Buffer.isBuffer(res.body)) return [gzip ? await this.gunzip(res.body) : res.body];
    if (!gzip) return res.body as AsyncIterable<Buffer>;
    // pipeline: an error on either side destroys both, and reaches the loop reading the output.
    return pipeline(res.body, createGunzip(), () => {});
  }

  private requestHeaders(): Record<string, string> {
    return {
      accept: this.settings.accept,
      'accept-encoding': this.settings.enableCompression ? 'gzip' : 'identity',
      'x-prometheus-scrape-timeout-seconds': String(this.target.timeoutMs / 1000),
      'user-agent': this.ctx.userAgent,
    };
  }

  private async httpRequest(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<RawResponse> {
    const res = await this.ctx.client().request(url, { method: 'GET', headers, signal });
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => {});
      return { status: res.statusCode, body: Buffer.alloc(0), contentType: '', encoding: '' };
    }
    return { status: 200, body: res.body, contentType: header(res.headers['content-type']), encoding: header(res.headers['content-encoding']) };
  }

  /** An in-process body (the agent's own metrics). */
  private async gunzip(body: Buffer): Promise<Buffer> {
    const limit = this.settings.bodySizeLimit;
    try {
      return await gunzipAsync(body, limit > 0 ? { maxOutputLength: limit } : {});
    } catch (err) {
      if (err instanceof RangeError) throw new ScrapeError('body size limit exceeded');
      throw err;
    }
  }

  /** The parser for the response's content type; the fallback protocol when it names none we know. */
  private formatOf(contentType: string): ExpositionFormat {
    const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
    if (mediaType === 'application/openmetrics-text') return 'openmetrics';
    if (mediaType === 'text/plain') return 'prometheus';
    return this.settings.fallbackFormat;
  }
}

interface RawResponse {
  readonly status: number;
  /** Whole when fetched in-process, else the response stream. */
  readonly body: Buffer | Readable;
  readonly contentType: string;
  readonly encoding: string;
}

function internalResponse(res: InternalResponse): RawResponse {
  return { status: res.status, body: res.body, contentType: header(res.headers['content-type']), encoding: header(res.headers['content-encoding']) };
}

function header(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}
