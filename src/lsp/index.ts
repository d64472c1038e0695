/**
 * The Alloy language server (`alloy-ts lsp`). One face:
 * `startLanguageServer({ input, output })` serves the Language Server
 * Protocol over the streams (stdin/stdout by default) until the client exits.
 *
 * Modules: documents/positions (open documents, byte ↔ UTF-16 positions),
 * model (scopes, definitions and references in a file), schemas/descriptions/
 * stdlib (what the editor knows about blocks and functions), diagnostics,
 * hover, completion, navigation (definition/references/rename) and outline
 * (symbols, folding, formatting).
 */
export { startLanguageServer, type LanguageServerOptions } from './server.js';
