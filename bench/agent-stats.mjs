// What the benchmarks measure of an agent process, from Linux's /proc: CPU
// time (utime, stime) and peak resident set size (VmHWM). Also the extra
// Node flags for the agent that NODE_OPTIONS does not take (AGENT_NODE_ARGS,
// e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these ticks

export const agentNodeArgs = process.env.AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

/** CPU seconds so far (user, system, both) and peak RSS in MiB of a running process. */
export function processStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]) / CLK_TCK;
  const system = Number(fields[12]) / CLK_TCK;
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { user, system, cpu: user + system, peakRssMiB: peakKiB / 1024 };
}

/** The process and its descendants (read from /proc/<pid>/task/<pid>/children while they run). */
function processTree(pid) {
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // exited meanwhile
  }
  return [pid, ...children.flatMap(processTree)];
}

/**
 * processStats summed over a process and its descendants, so that an agent
 * that starts processes (or a launcher that would run the agent in a child)
 * is charged for all of them: bin/alloy-ts itself runs `--memory-limit` in a
 * worker thread of the same process. Peak RSS is the sum of each one's peak.
 */
export function processTreeStats(pid) {
  const total = { user: 0, system: 0, cpu: 0, peakRssMiB: 0, largestPeakRssMiB: 0, processes: 0 };
  for (const p of processTree(pid)) {
    try {
      const s = processStats(p);
      total.user += s.user;
      total.system += s.system;
      total.cpu += s.cpu;
      total.peakRssMiB += s.peakRssMiB;
      total.largestPeakRssMiB = Math.max(total.largestPeakRssMiB, s.peakRssMiB);
      total.processes++;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}
