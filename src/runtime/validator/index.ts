/**
 * `alloy-ts validate`: checks a configuration without running it and
 * reports every problem at once, in the order Alloy's validator reports
 * them (grafana/alloy internal/validator):
 *
 * 1. Parsing. Files are parsed in sorted-name order; if any fails (syntax,
 *    or an attribute at the top level), only those diagnostics are reported.
 * 2. Building (build.ts): per body, declares, config blocks, components and
 *    service blocks become graph nodes with their label/duplicate/placement
 *    diagnostics.
 * 3. Checking (check.ts): per node in graph order, the component lookup
 *    and argument checks, nested bodies, references (plus stdlib warnings
 *    and stability), then cycles.
 *
 * Nothing is started and nothing is fetched: imports are not loaded.
 * Components alloy-ts does not implement are errors for the `alloy-ts`
 * target; for the `alloy` target they are accepted without argument checks
 * when Alloy registers them.
 */
import { DiagnosticsError, type Diagnostic } from '../../lang/diag.js';
import { parseConfigFiles } from '../sources.js';
import type { ComponentRegistry, Stability } from '../component.js';
import { topLevelAttributeDiag, type ConfigFile } from '../loader.js';
import { buildState, CustomRegistry, newState, rootBlocks, type ValidationContext, type ValidationTarget } from './build.js';

export type { ValidationTarget } from './build.js';
import { checkState } from './check.js';

export interface ValidateOptions {
  registry: ComponentRegistry;
  /** Minimum stability level (`--stability.level`). */
  minStability: Stability;
  /** `--target`; default `alloy-ts`. */
  target?: ValidationTarget;
  /** `--feature.community-components.enabled`; default false. */
  communityComponents?: boolean;
}

export interface ValidateSource {
  name: string;
  bytes: Uint8Array;
}

/**
 * Validates all sources together as one configuration. Returns the
 * diagnostics in report order (empty = valid). A source that is not UTF-8
 * throws a plain Error, as Alloy fails without a position then.
 */
export function validateSources(sources: readonly ValidateSource[], opts: ValidateOptions): Diagnostic[] {
  const parsed = parseAll(sources);
  if ('diagnostics' in parsed) return parsed.diagnostics;
  const ctx: ValidationContext = {
    registry: opts.registry,
    minStability: opts.minStability,
    target: opts.target ?? 'alloy-ts',
    communityComponents: opts.communityComponents ?? false,
    scope: new Set(['module_path']),
  };
  const root = newState({ root: true, foreach: false, custom: new CustomRegistry() });
  buildState(ctx, root, rootBlocks(parsed.files.map((f) => ({ source: f.source, body: f.file.body }))));
  return checkState(ctx, root);
}

function parseAll(sources: readonly ValidateSource[]): { files: ConfigFile[] } | { diagnostics: Diagnostic[] } {
  const sorted = [...sources].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const files: ConfigFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sorted) {
    let file: ConfigFile;
    try {
      file = parseConfigFiles([source]).files[0]!;
    } catch (err) {
      if (!(err instanceof DiagnosticsError)) throw err;
      diagnostics.push(...err.diagnostics);
      continue;
    }
    // Like a syntax error, the first attribute at the top level rejects the file.
    const attribute = file.file.body.find((s) => s.kind === 'Attribute');
    if (attribute?.kind === 'Attribute') diagnostics.push(topLevelAttributeDiag(file.source, attribute));
    else files.push(file);
  }
  return diagnostics.length > 0 ? { diagnostics } : { files };
}
