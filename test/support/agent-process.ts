/**
 * The real agent as a process: `node bin/alloy-ts run …` (the built dist/),
 * with its HTTP address read from its log and its memory read from /proc.
 * Under a memory limit the launcher may run the agent in a child process
 * (Node < 22.15 has no execve), so `agentPid` follows it there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../cli/repo-paths.js';

export const launcher = path.join(repoRoot, 'bin', 'alloy-ts');
export const hasDist = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));

export class AgentProcess {
  private output = '';

  private constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  /** Starts the agent on a free loopback port; resolves once it listens. */
  static async start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ agent: AgentProcess; url: string }> {
    const child = spawn(process.execPath, [launcher, 'run', ...args, '--server.http.listen-addr=127.0.0.1:0'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const agent = new AgentProcess(child);
    const addr = await agent.waitForLog(/msg="now listening for http traffic" service=http addr=(\S+)/);
    return { agent, url: `http://${addr[1]}` };
  }

  get log(): string {
    return this.output;
  }

  /** Waits until the log has a line matching `pattern`. */
  async waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`agent log never matched ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The process that runs the agent: the launcher's child if it has one, else the launcher. */
  agentPid(): number {
    const pid = this.child.pid!;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children ? Number(children.split(/\s+/)[0]) : pid;
  }

  /** Peak resident memory of the agent so far (VmHWM), in bytes. */
  peakRssBytes(): number {
    const status = readFileSync(`/proc/${this.agentPid()}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
  }

  /** The agent's full command line (to see the Node flags it runs with). */
  commandLine(): string[] {
    return readFileSync(`/proc/${this.agentPid()}/cmdline`, 'utf8').split('\0').filter(Boolean);
  }

  /** SIGKILL to the agent and the launcher at once, as a crash would end them; resolves on exit. */
  kill9(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    for (const pid of new Set([this.agentPid(), this.child.pid!])) process.kill(pid, 'SIGKILL');
    return exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const pids = [this.agentPid(), this.child.pid!];
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => pids.forEach((pid) => killQuietly(pid, 'SIGKILL')), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
