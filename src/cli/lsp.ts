/**
 * `alloy-ts lsp`: the Alloy language server over stdin/stdout. The server
 * (and the libraries it uses) is loaded only when this command runs.
 */
import { Command } from 'commander';
import type { CliIO } from './io.js';

export function lspCommand(_io: CliIO): Command {
  return new Command('lsp')
    .summary('Run the Alloy language server over stdio')
    .description('Serves the Language Server Protocol on stdin/stdout for editors (diagnostics, hover, completion, navigation, formatting).')
    // Editors' LSP clients often pass --stdio; stdio is the only transport.
    .option('--stdio', 'use stdin/stdout (the default and only transport)')
    .action(async () => {
      const [{ startLanguageServer }, { capYoungGeneration, DEFAULT_SEMI_SPACE_MIB }] = await Promise.all([
        import('../lsp/index.js'),
        import('../runtime/memory.js'),
      ]);
      // An editor keeps the server for hours: a small young generation (as
      // `run` has) keeps its memory near what the open documents need.
      capYoungGeneration(DEFAULT_SEMI_SPACE_MIB);
      await startLanguageServer();
    });
}
