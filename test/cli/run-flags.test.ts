/** `run`'s flags come from one table: the command line and the agent see the same names and defaults. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { flagValues, rewriteBoolAssignments } from '../../src/cli/flags.js';
import { addRunFlags, RUN_FLAGS, withRunDefaults } from '../../src/cli/run-flags.js';

function parse(args: string[]): Record<string, unknown> {
  const cmd = new Command('run').exitOverride();
  addRunFlags(cmd);
  cmd.parse(rewriteBoolAssignments(args, cmd), { from: 'user' });
  return flagValues(cmd);
}

describe('run flags', () => {
  it('parse to the same defaults an agent started without a command line gets', () => {
    const { 'memory-limit': memoryLimit, ...defaults } = withRunDefaults({});
    expect(memoryLimit).toBeUndefined();
    expect(parse([])).toEqual(defaults);
    expect(defaults).toMatchObject({
      'server.http.listen-addr': '127.0.0.1:12345',
      'storage.path': 'data-alloy/',
      'stability.level': 'generally-available',
      'cluster.max-join-peers': 5,
      'server.http.enable-pprof': true,
    });
  });

  it('declares every table entry as an option', () => {
    const cmd = new Command('run');
    addRunFlags(cmd);
    const declared = cmd.options.filter((o) => !o.negate).map((o) => o.long!.slice(2));
    expect(declared).toEqual(Object.keys(RUN_FLAGS));
  });

  it('takes given values over defaults, typed by kind', () => {
    const parsed = parse(['--storage.path=/tmp/x', '--cluster.max-join-peers=7', '--server.http.enable-pprof=false', '--memory-limit', '1GiB']);
    expect(parsed).toMatchObject({ 'storage.path': '/tmp/x', 'cluster.max-join-peers': 7, 'server.http.enable-pprof': false, 'memory-limit': '1GiB' });
    expect(withRunDefaults({ 'storage.path': '/tmp/y' })).toMatchObject({ 'storage.path': '/tmp/y', 'server.http.memory-addr': 'alloy.internal:12345' });
  });
});
