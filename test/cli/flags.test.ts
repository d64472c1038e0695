/** Go-style boolean flags on commander (`--flag=false`). */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { boolFlag, flagValues, rewriteBoolAssignments } from '../../src/cli/flags.js';

function command(): Command {
  const cmd = new Command('x').exitOverride().option('--name <v>', 'a string flag', 'd');
  boolFlag(cmd, 'cluster.enabled', false, 'off by default');
  boolFlag(cmd, 'server.http.enable-pprof', true, 'on by default');
  return cmd;
}

function parse(args: string[]): Record<string, unknown> {
  const cmd = command();
  cmd.parse(rewriteBoolAssignments(args, cmd), { from: 'user' });
  return flagValues(cmd);
}

describe('boolean flags', () => {
  it('are keyed by their command-line names, not commander\'s camel case', () => {
    expect(Object.keys(parse([]))).toContain('server.http.enable-pprof');
  });

  it('keep their defaults', () => {
    expect(parse([])).toEqual({ name: 'd', 'cluster.enabled': false, 'server.http.enable-pprof': true });
  });

  it('accept the bare form and every strconv.ParseBool spelling', () => {
    expect(parse(['--cluster.enabled'])['cluster.enabled']).toBe(true);
    for (const word of ['false', 'False', 'FALSE', 'f', 'F', '0']) {
      expect(parse([`--server.http.enable-pprof=${word}`])['server.http.enable-pprof']).toBe(false);
    }
    for (const word of ['true', 'True', 'TRUE', 't', 'T', '1']) {
      expect(parse([`--cluster.enabled=${word}`])['cluster.enabled']).toBe(true);
    }
  });

  it('leave non-boolean flags and bad values to commander', () => {
    expect(rewriteBoolAssignments(['--name=false', '--cluster.enabled=maybe'], command())).toEqual([
      '--name=false',
      '--cluster.enabled=maybe',
    ]);
    expect(parse(['--name=false']).name).toBe('false');
  });
});
