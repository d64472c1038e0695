// `npm run bench`: every benchmark in turn, each in its own process so one
// benchmark's heap and JIT state do not colour the next one's figures.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './corpus.mjs';

// The side-by-side comparisons of issue 20 measure their references in the same run and say why when one is
// missing: bench/startup.mjs (start-up and fmt against node -e 0 and Alloy's Go formatter), bench/file-vs-promtail.mjs
// (file pipeline against Promtail), bench/docker.mjs (Docker pipeline against Promtail's docker_sd_configs; needs
// podman's Docker API of scripts/test-services.sh), bench/metrics.mjs (against Prometheus 2.42 in agent mode);
// docker and metrics also run alloy-ts under --memory-limit (goal 6).
// bench/exporter-unix.mjs compares with the node exporter of scripts/prometheus-services.sh and says so when it is not running.
const benches = ['startup.mjs', 'file-vs-promtail.mjs', 'docker.mjs', 'lang.mjs', 'runtime.mjs', 'logs.mjs', 'logs-process.mjs', 'loki-write.mjs', 'many-files.mjs', 'metrics.mjs', 'wal.mjs', 'exporter-unix.mjs', 'otlp.mjs', 'receivers.mjs', 'lsp.mjs'];
for (const name of benches) {
  console.log(`\n== bench/${name}`);
  execFileSync(process.execPath, [path.join(repoRoot, 'bench', name)], { stdio: 'inherit' });
}
