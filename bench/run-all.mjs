// `npm run bench`: every benchmark in turn, each in its own process so one
// benchmark's heap and JIT state do not colour the next one's figures.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './corpus.mjs';

// bench/docker.mjs needs podman (scripts/test-services.sh start): run it with `npm run bench:docker`.
// bench/exporter-unix.mjs compares with the node exporter of scripts/prometheus-services.sh and says so when it is not running.
// bench/startup.mjs (start-up and fmt against node -e 0 and Alloy's Go formatter) and bench/file-vs-promtail.mjs
// (the file pipeline against Promtail) measure their references in the same run and say why when one is missing.
const benches = ['startup.mjs', 'file-vs-promtail.mjs', 'lang.mjs', 'runtime.mjs', 'logs.mjs', 'logs-process.mjs', 'loki-write.mjs', 'many-files.mjs', 'metrics.mjs', 'exporter-unix.mjs', 'otlp.mjs', 'receivers.mjs', 'lsp.mjs'];
for (const name of benches) {
  console.log(`\n== bench/${name}`);
  execFileSync(process.execPath, [path.join(repoRoot, 'bench', name)], { stdio: 'inherit' });
}
