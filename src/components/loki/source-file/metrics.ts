/** loki.source.file's metrics, with Alloy's names and help (grafana/alloy internal/component/loki/source/file/metrics.go). */
import { Counter, Gauge, type Registry } from '../../../runtime/prom-client.js';

export class FileMetrics {
  /** Last acknowledged offset per path (a gauge despite the name, as in Alloy). */
  readonly readBytes: Gauge<'path'>;
  /** File size per path. */
  readonly fileBytes: Gauge<'path'>;
  readonly readLines: Counter<'path'>;
  readonly filesActive: Gauge;
  /** Failed writes of the positions file (alloy-ts only: Alloy just logs them). */
  readonly positionsWriteErrors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.readBytes = new Gauge({ name: 'loki_source_file_read_bytes_total', help: 'Number of bytes read.', labelNames: ['path'], registers });
    this.fileBytes = new Gauge({ name: 'loki_source_file_file_bytes_total', help: 'Number of bytes total.', labelNames: ['path'], registers });
    this.readLines = new Counter({ name: 'loki_source_file_read_lines_total', help: 'Number of lines read.', labelNames: ['path'], registers });
    this.filesActive = new Gauge({ name: 'loki_source_file_files_active_total', help: 'Number of active files.', registers });
    this.positionsWriteErrors = new Counter({ name: 'loki_source_file_positions_write_errors_total', help: 'Number of failed writes of the positions file.', registers });
  }

  /** Drops a path's series when its tailer stops. */
  forget(path: string): void {
    this.readBytes.remove(path);
    this.fileBytes.remove(path);
    this.readLines.remove(path);
  }
}
