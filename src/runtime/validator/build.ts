/**
 * Phase 1 of validation: sorting the blocks of a body (the root, a declare,
 * a foreach template) into nodes of an ordered graph, recording the
 * diagnostics that do not need the whole configuration (labels, duplicates,
 * blocks in the wrong place). Declares come first, because they define
 * custom components, then config blocks, components and service blocks —
 * the order the report follows.
 *
 * Registry lookups, argument checks and references wait until every body is
 * built (check.ts): a declare may be used before it is defined.
 */
import type { AttributeStmt, BlockStmt, Body } from '../../lang/ast.js';
import { startPos, endPos } from '../../lang/ast.js';
import type { Diagnostic } from '../../lang/diag.js';
import type { SourceFile } from '../../lang/position.js';
import { attr, t, type BlockSchema, type Field } from '../../lang/schema.js';
import { Tok } from '../../lang/token.js';
import { unquote } from '../../go/strconv.js';
import { ALLOY_SERVICES } from '../alloy-components.js';
import { stabilityAllowed, type ComponentRegistry, type Stability } from '../component.js';
import { ArgumentArgs, ExportArgs, ForeachArgs, IMPORT_BLOCKS, SERVICE_BLOCKS, SINGLETON_CONFIG_BLOCKS } from '../config-blocks.js';
import { Graph } from '../graph.js';
import {
  blockCategory,
  blockDiag,
  blockId,
  componentLabelDiag,
  duplicateBlockDiag,
  missingLabelDiag,
  moduleOnlyDiag,
  nameEnd,
  notAllowedDiag,
  rangeDiag,
  stabilityMessage,
  type Located,
} from '../loader.js';

/**
 * `alloy-ts`: components alloy-ts does not implement are errors, and a
 * constant number where a string is expected too (Alloy converts it, and
 * such a mistake then fails only at run time). `alloy`: as Grafana Alloy's
 * validator judges, every component Alloy registers accepted.
 */
export type ValidationTarget = 'alloy-ts' | 'alloy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySchema = BlockSchema<any>;

/** Settings and state shared by the whole validation. */
export interface ValidationContext {
  readonly registry: ComponentRegistry;
  readonly minStability: Stability;
  /** Whose judgement: alloy-ts's (what it can run), or Grafana Alloy's. */
  readonly target: ValidationTarget;
  /** `--feature.community-components.enabled`. */
  readonly communityComponents: boolean;
  /**
   * Identifiers in scope besides the stdlib: `module_path`, `argument`
   * (once a labelled declare exists) and every foreach variable. Alloy's
   * validator shares one scope between all bodies, so these are visible
   * everywhere; kept that way to report the same things.
   */
  readonly scope: Set<string>;
}

export type NodeKind = 'block' | 'component' | 'module' | 'foreach';

export interface ValidationNode extends Located {
  /** Graph id: the block id, suffixed `-<index>` for a duplicate so it can still be checked. */
  id: string;
  kind: NodeKind;
  /** Statements checked against the schema and for references (a declare: none; a foreach: all but the template). */
  body: Body;
  /** Diagnostics reported before the node's argument checks. */
  diags: Diagnostic[];
  /** Schema of a config or service block. */
  schema?: AnySchema;
  /** Exports other nodes may reference (argument blocks: `value`). */
  exports?: readonly string[];
  /** The body of a declare or foreach template. */
  sub?: ValidationState;
}

/** A custom component: a declare (arguments and exports known) or an import namespace. */
export interface CustomComponent {
  kind: 'declare' | 'import';
  args?: AnySchema;
  exports?: readonly string[];
}

/** Custom components visible in a body; lookups fall back to the enclosing body's. */
export class CustomRegistry {
  private readonly custom = new Map<string, CustomComponent>();

  constructor(private readonly parent?: CustomRegistry) {}

  register(label: string, c: CustomComponent): void {
    this.custom.set(label, c);
  }

  /** As Alloy, only the first name part is looked up (`ns.comp` finds import `ns`). */
  lookup(name: string): CustomComponent | undefined {
    return this.custom.get(name.split('.')[0]!) ?? this.parent?.lookup(name);
  }
}

export interface ValidationState {
  readonly root: boolean;
  readonly foreach: boolean;
  readonly graph: Graph<ValidationNode>;
  /** A foreach template may reference nodes of the enclosing body. */
  readonly parent?: ValidationState;
  readonly custom: CustomRegistry;
  /** Registered `argument` blocks (labelled, not duplicated), in order. */
  readonly arguments: Located[];
  /** Labels of `export` blocks. */
  readonly exports: string[];
}

interface Blocks {
  declares: Located[];
  configs: Located[];
  components: Located[];
  services: Located[];
}

export function newState(opts: { root: boolean; foreach: boolean; parent?: ValidationState; custom: CustomRegistry }): ValidationState {
  return { ...opts, graph: new Graph(), arguments: [], exports: [] };
}

/** Sorts top-level blocks of a file (attributes were rejected while parsing). */
export function rootBlocks(files: readonly { source: SourceFile; body: Body }[]): Blocks {
  const out: Blocks = { declares: [], configs: [], components: [], services: [] };
  for (const { source, body } of files) for (const stmt of body) if (stmt.kind === 'Block') addBlock(out, stmt, source);
  return out;
}

/** Builds the nodes of one body into `state`. */
export function buildState(ctx: ValidationContext, state: ValidationState, blocks: Blocks): ValidationState {
  buildDeclares(ctx, state, blocks.declares);
  buildConfigs(ctx, state, blocks.configs);
  buildComponents(state, blocks.components);
  buildServices(state, blocks.services);
  return state;
}

function addBlock(out: Blocks, block: BlockStmt, source: SourceFile): void {
  const at = { block, source };
  switch (blockCategory(block, ALLOY_SERVICES)) {
    case 'declare': out.declares.push(at); break;
    case 'config': out.configs.push(at); break;
    case 'service': out.services.push(at); break;
    case 'component': out.components.push(at); break;
  }
}

/** The blocks of a nested body; attributes there are reported on the owner. */
function extractBlocks(owner: ValidationNode, body: Body): Blocks {
  const out: Blocks = { declares: [], configs: [], components: [], services: [] };
  for (const stmt of body) {
    if (stmt.kind === 'Attribute') owner.diags.push(unsupportedStatement(owner.source, stmt));
    else addBlock(out, stmt, owner.source);
  }
  return out;
}

function unsupportedStatement(source: SourceFile, stmt: AttributeStmt): Diagnostic {
  // Alloy prints the Go type of the statement.
  return rangeDiag(source, startPos(stmt), endPos(stmt), 'unsupported statement type *ast.AttributeStmt');
}

function node(at: Located, kind: NodeKind): ValidationNode {
  return { ...at, id: blockId(at.block), kind, body: at.block.body, diags: [] };
}

/** Remembers the first block of each id; a later one gets a diagnostic and a unique graph id. */
class Duplicates {
  private readonly first = new Map<string, Located>();

  /** True when `n` repeats an earlier block. */
  check(n: ValidationNode, index: number): boolean {
    const original = this.first.get(n.id);
    if (!original) {
      this.first.set(n.id, n);
      return false;
    }
    n.diags.push(duplicateBlockDiag(n, original));
    n.id = `${n.id}-${index}`;
    return true;
  }
}

function buildDeclares(ctx: ValidationContext, state: ValidationState, declares: readonly Located[]): void {
  const dups = new Duplicates();
  declares.forEach((at, i) => {
    const n = node(at, 'module');
    if (at.block.label === '') n.diags.push(missingLabelDiag(n, 'declare'));
    dups.check(n, i);
    const blocks = extractBlocks(n, at.block.body);
    // The declare's body is checked in its own graph, not as the declare's references.
    n.body = [];
    const sub = buildState(ctx, newState({ root: false, foreach: false, custom: new CustomRegistry(state.custom) }), blocks);
    n.sub = sub;
    state.graph.add(n.id, n);
    if (at.block.label !== '') {
      ctx.scope.add('argument');
      state.custom.register(at.block.label, { kind: 'declare', args: argumentsSchema(sub.arguments), exports: sub.exports });
    }
  });
}

function buildConfigs(ctx: ValidationContext, state: ValidationState, configs: readonly Located[]): void {
  const dups = new Duplicates();
  configs.forEach((at, i) => {
    const n = node(at, 'block');
    const register = !dups.check(n, i);
    const name = at.block.name.join('.');
    switch (name) {
      case 'logging':
      case 'tracing':
        n.schema = SINGLETON_CONFIG_BLOCKS[name];
        disallowOutsideRoot(state, n);
        break;
      case 'foreach':
        buildForeach(ctx, state, n);
        return;
      case 'argument':
      case 'export': {
        n.schema = name === 'argument' ? ArgumentArgs : ExportArgs;
        if (state.root) n.diags.push(moduleOnlyDiag(n));
        if (at.block.label === '') n.diags.push(missingLabelDiag(n));
        else if (register && name === 'argument') state.arguments.push(at);
        else if (register) state.exports.push(at.block.label);
        if (name === 'argument') n.exports = ['value'];
        break;
      }
      default: {
        // import.file, import.string, import.http, import.git
        n.schema = (IMPORT_BLOCKS as Record<string, AnySchema>)[name];
        const labelled = at.block.label !== '';
        if (!labelled) n.diags.push(missingLabelDiag(n));
        if (register && labelled) state.custom.register(at.block.label, { kind: 'import' });
      }
    }
    state.graph.add(n.id, n);
  });
}

function buildForeach(ctx: ValidationContext, state: ValidationState, n: ValidationNode): void {
  const block = n.block;
  if (!stabilityAllowed('experimental', ctx.minStability)) {
    n.diags.push(blockDiag(n, stabilityMessage('foreach block "foreach"', 'experimental', ctx.minStability), nameEnd(block)));
  }
  if (block.label === '') n.diags.push(missingLabelDiag(n));
  let template: BlockStmt | undefined;
  const rest: Body = [];
  for (const stmt of block.body) {
    if (stmt.kind === 'Block' && stmt.name.join('.') === 'template') template = stmt;
    else rest.push(stmt);
  }
  n.body = rest;
  n.schema = ForeachArgs;
  if (!template) {
    n.diags.push(blockDiag(n, 'missing required block "template"', block.rCurly));
    state.graph.add(n.id, n);
    return;
  }
  const blocks = extractBlocks(n, template.body);
  const sub = newState({ root: state.root, foreach: true, parent: state, custom: new CustomRegistry(state.custom) });
  const variable = literalAttribute(rest, 'var', Tok.STRING, true);
  if (variable !== undefined) ctx.scope.add(variable);
  n.kind = 'foreach';
  n.sub = buildState(ctx, sub, blocks);
  state.graph.add(n.id, n);
}

function buildComponents(state: ValidationState, components: readonly Located[]): void {
  const dups = new Duplicates();
  components.forEach((at, i) => {
    const n = node(at, 'component');
    if (at.block.label === '') n.diags.push(componentLabelDiag(n));
    dups.check(n, i);
    state.graph.add(n.id, n);
  });
}

function buildServices(state: ValidationState, services: readonly Located[]): void {
  const dups = new Duplicates();
  services.forEach((at, i) => {
    const n = node(at, 'block');
    dups.check(n, i);
    disallowOutsideRoot(state, n);
    const name = at.block.name.join('.');
    if (ALLOY_SERVICES.get(name)?.configurable) {
      // Services alloy-ts has no schema for (remotecfg) are accepted unchecked.
      n.schema = (SERVICE_BLOCKS as Record<string, AnySchema>)[name];
    } else {
      n.diags.push(blockDiag(n, `service ${JSON.stringify(name)} does not support being configured`, at.block.rCurly));
    }
    state.graph.add(n.id, n);
  });
}

/** logging, tracing and services belong to the root configuration only. */
function disallowOutsideRoot(state: ValidationState, n: ValidationNode): void {
  if (!state.root) n.diags.push(notAllowedDiag(n, 'module'));
  else if (state.foreach) n.diags.push(notAllowedDiag(n, 'foreach'));
}

/**
 * The arguments of a declare as a schema for its instances: one attribute of
 * any type per argument, required unless the argument says `optional = true`
 * literally.
 */
function argumentsSchema(args: readonly Located[]): AnySchema {
  const fields: Record<string, Field> = {};
  for (const { block } of args) {
    const optional = literalAttribute(block.body, 'optional', Tok.BOOL, true) === 'true';
    fields[block.label] = optional ? attr(t.any, null) : attr(t.any);
  }
  return { fields };
}

/**
 * The text of the last attribute `name` written as a literal of kind `tok`
 * (string literals unquoted) in `body`, nested blocks included when `deep`.
 */
function literalAttribute(body: Body, name: string, tok: Tok, deep = false): string | undefined {
  let found: string | undefined;
  for (const stmt of body) {
    if (stmt.kind === 'Block') {
      if (deep) found = literalAttribute(stmt.body, name, tok, true) ?? found;
      continue;
    }
    if (stmt.name.name !== name || stmt.value.kind !== 'Literal' || stmt.value.tok !== tok) continue;
    found = tok === Tok.STRING ? unquote(stmt.value.value) : stmt.value.value;
  }
  return found;
}
