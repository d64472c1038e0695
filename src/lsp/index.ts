/**
 * The Alloy language server (`alloy-ts lsp`). One face:
 * `startLanguageServer({ input, output })` serves the Language Server
 * Protocol over the streams (stdin/stdout by default) until the client exits.
 *
 * Modules: documents/positions (open documents, byte ↔ UTF-16 positions),
 * model (scopes, definitions and references in a file), workspace (the files
 * cross-file navigation searches), schemas/stdlib (what the editor knows
 * about blocks and functions; descriptions come from the schemas),
 * diagnostics, hover, completion, navigation (definition/references/rename,
 * across imported modules), outline (symbols, folding, formatting) and
 * semantic-tokens.
 */
export { startLanguageServer, type LanguageServerOptions } from './server.js';
