/**
 * `alloy-ts run [flags] PATH`: the command; its flags are declared in
 * run-flags.ts. The runtime itself is loaded on demand (run-agent.ts).
 */
import { Command } from 'commander';
import type { CliIO } from './io.js';
import { flagValues } from './flags.js';
import { addRunFlags, type RunFlags } from './run-flags.js';

export function runCommand(io: CliIO): Command {
  const cmd = new Command('run')
    .summary('Run Grafana Alloy')
    .description(
      'Runs the configuration at PATH in the foreground until interrupted.\n\n' +
        'PATH is a file, or a directory whose *.alloy files (not recursive) are\n' +
        'combined into one configuration.',
    )
    .argument('<path>', 'configuration file or directory');
  addRunFlags(cmd);
  return cmd.action(async (configPath: string, _opts: unknown, self: Command) =>
    runAgent(configPath, flagValues(self) as RunFlags, io),
  );
}

async function runAgent(configPath: string, flags: RunFlags, io: CliIO): Promise<void> {
  // Loaded on demand: fmt and validate should not pay for the runtime's imports.
  const { runAgent: run } = await import('./run-agent.js');
  await run(configPath, flags, io);
}
