/**
 * Writing converted components as Alloy text the way Alloy's converter does
 * (grafana/alloy syntax/token/builder): every component's arguments are a Go
 * struct encoded field by field in declaration order, optional fields equal
 * to their default (or both zero) left out; the raw text is then parsed and
 * printed by the formatter, which decides blank lines and alignment.
 *
 * A struct is described here by a `StructShape` (its fields in Go order, with
 * their Alloy names and whether they are attributes, blocks or squashed
 * structs) and a value is a plain object keyed by Alloy names. Values that Go
 * distinguishes but JS does not are wrapped: `Duration`, `Bytes`, `Float`,
 * and `Expr` for text written as is (references, function calls).
 */
import { formatBytes, formatDurationNs } from '../lang/units.js';
import { formatFloat, quote } from '../go/strconv.js';
import { isValidIdentifier } from '../lang/identifier.js';

/** A Go time.Duration (nanoseconds), written as Go's Duration.String(). */
export class Duration {
  constructor(readonly ns: bigint) {}
  static ms(ms: number): Duration {
    return new Duration(BigInt(Math.round(ms * 1e6)));
  }
}

/** A units.Base2Bytes value, written as "1KiB". */
export class Bytes {
  constructor(readonly n: number) {}
}

/** A float64: written with Go's shortest formatting even when integral ("1" stays "1"). */
export class Float {
  constructor(readonly v: number) {}
}

/** Text written into the config unchanged (an expression). */
export class Expr {
  constructor(readonly text: string) {}
}

/** A Go map whose keys keep their insertion order (Alloy's ordered objects). */
export class OrderedMap {
  constructor(readonly entries: readonly (readonly [string, GoValue])[]) {}
}

export type GoValue =
  | undefined
  | null
  | string
  | number
  | boolean
  | Duration
  | Bytes
  | Float
  | Expr
  | OrderedMap
  | readonly GoValue[]
  | { readonly [key: string]: GoValue };

// ---------------------------------------------------------------------------
// Struct shapes

export interface FieldShape {
  readonly name: string;
  readonly kind: 'attr' | 'block' | 'squash' | 'enum' | 'label';
  readonly optional: boolean;
  /** For blocks, squashed structs and enums: the shape of the inner struct. */
  readonly shape?: StructShape;
  /** A Go pointer field: a value that is present is never zero, even when its fields all are. */
  readonly pointer?: boolean;
}

export interface StructShape {
  readonly fields: readonly FieldShape[];
  /** SetToDefault's values (keyed by Alloy name; squashed fields inline). */
  readonly defaults?: Readonly<Record<string, GoValue>>;
}

/** `attr("url")`, `attr("batch_wait", true)`: an attribute field. */
export function attr(name: string, optional = true): FieldShape {
  return { name, kind: 'attr', optional };
}

export function block(name: string, shape: StructShape, optional = true): FieldShape {
  return { name, kind: 'block', optional, shape };
}

/** A block held by a Go pointer (`*TLSConfig`): written whenever it is set. */
export function pointerBlock(name: string, shape: StructShape): FieldShape {
  return { name, kind: 'block', optional: true, shape, pointer: true };
}

/** A struct whose fields sit in the outer body (`alloy:",squash"`). */
export function squash(shape: StructShape): FieldShape {
  return { name: '', kind: 'squash', optional: true, shape };
}

/**
 * A list of one-of blocks (`alloy:"stage,enum"`): each element is an object
 * with exactly one key, the block's name after the prefix.
 */
export function enumBlocks(name: string, shape: StructShape, optional = true): FieldShape {
  return { name, kind: 'enum', optional, shape };
}

export function struct(fields: readonly FieldShape[], defaults?: Record<string, GoValue>): StructShape {
  return { fields, defaults };
}

// ---------------------------------------------------------------------------
// Bodies and blocks

type Node = { kind: 'attr'; name: string; text: string } | { kind: 'block'; block: Block } | { kind: 'raw'; text: string };

export class Body {
  readonly nodes: Node[] = [];

  /** Sets an attribute to an encoded value (replacing an earlier one of that name). */
  setAttr(name: string, value: GoValue): void {
    this.setAttrText(name, encodeValue(value));
  }

  setAttrText(name: string, text: string): void {
    const existing = this.nodes.find((n) => n.kind === 'attr' && n.name === name);
    if (existing && existing.kind === 'attr') existing.text = text;
    else this.nodes.push({ kind: 'attr', name, text });
  }

  appendBlock(b: Block): void {
    this.nodes.push({ kind: 'block', block: b });
  }

  appendRaw(text: string): void {
    this.nodes.push({ kind: 'raw', text });
  }

  /** Encodes a struct value field by field (builder.AppendFrom). */
  appendFrom(shape: StructShape, value: Readonly<Record<string, GoValue>> | undefined): void {
    if (value === undefined || value === null) return;
    encodeFields(this, [], shape, value);
  }

  text(): string {
    return this.nodes
      .map((n) => (n.kind === 'attr' ? `${n.name} = ${n.text}` : n.kind === 'raw' ? n.text : n.block.text()))
      .join('\n');
  }
}

export class Block {
  readonly body = new Body();
  constructor(
    public name: readonly string[],
    public label = '',
  ) {}

  text(): string {
    const label = this.label === '' ? '' : quote(this.label);
    return `${this.name.join('.')} ${label}{\n${this.body.text()}\n}`;
  }
}

/** A component block built from its arguments (common.NewBlockWithOverride). */
export function componentBlock(
  name: string,
  label: string,
  shape: StructShape,
  args: Readonly<Record<string, GoValue>>,
): Block {
  const b = new Block(name.split('.'), label);
  b.body.appendFrom(shape, args);
  return b;
}

// ---------------------------------------------------------------------------
// Struct encoding

function encodeFields(body: Body, prefix: readonly string[], shape: StructShape, value: Readonly<Record<string, GoValue>>): void {
  for (const field of flatten(shape)) {
    const v = value[field.name];
    if (field.optional) {
      // The outer struct's SetToDefault decides, squashed fields included.
      const dflt = shape.defaults?.[field.name];
      if (goDeepEqual(v, dflt) || (isZero(dflt, field) && isZero(v, field))) continue;
    }
    encodeField(body, prefix, field, v);
  }
}

/** Squashed structs' fields in place, with their own defaults where the outer struct states none. */
function flatten(shape: StructShape): FieldShape[] {
  const out: FieldShape[] = [];
  for (const f of shape.fields) {
    if (f.kind === 'squash' && f.shape) out.push(...flatten(f.shape));
    else if (f.kind !== 'label') out.push(f);
  }
  return out;
}

function encodeField(body: Body, prefix: readonly string[], field: FieldShape, v: GoValue): void {
  const name = [...prefix, ...field.name.split('.')];
  switch (field.kind) {
    case 'attr':
      body.setAttr(field.name, v);
      return;
    case 'block':
      if (Array.isArray(v)) {
        for (const elem of v) {
          if (field.optional && isZero(elem, field)) continue;
          encodeBlock(body, name, field.shape!, elem as Record<string, GoValue>);
        }
      } else if (v !== undefined && v !== null) {
        encodeBlock(body, name, field.shape!, v as Record<string, GoValue>);
      } else if (!field.optional) {
        encodeBlock(body, name, field.shape!, {});
      }
      return;
    case 'enum':
      for (const elem of (v as readonly GoValue[] | undefined) ?? []) encodeEnumElement(body, name, field.shape!, elem as Record<string, GoValue>);
      return;
    default:
      return;
  }
}

function encodeBlock(body: Body, name: readonly string[], shape: StructShape, v: Readonly<Record<string, GoValue>>): void {
  const labelField = shape.fields.find((f) => f.kind === 'label');
  const inner = new Block(name, labelField ? String(v[labelField.name] ?? '') : '');
  encodeFields(inner.body, [], shape, v);
  body.appendBlock(inner);
}

function encodeEnumElement(body: Body, prefix: readonly string[], shape: StructShape, elem: Readonly<Record<string, GoValue>>): void {
  for (const field of shape.fields) {
    const v = elem[field.name];
    if (v === undefined || v === null) continue;
    encodeField(body, prefix, { ...field, optional: false }, v);
    return;
  }
}

// ---------------------------------------------------------------------------
// Go's zero and equality rules, on the JS stand-ins

function isZero(v: GoValue, field?: FieldShape): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (v instanceof Duration) return v.ns === 0n;
  if (v instanceof Bytes) return v.n === 0;
  if (v instanceof Float) return v.v === 0;
  if (v instanceof Expr || v instanceof OrderedMap || Array.isArray(v)) return false;
  if (field?.pointer) return false;
  if (typeof v === 'object' && field?.shape) {
    // A struct value: zero when every field is.
    const obj = v as Record<string, GoValue>;
    return flatten(field.shape).every((f) => isZero(obj[f.name], f));
  }
  return false; // a non-nil map
}

/** Zero as a struct field: a zero scalar, or a struct value whose fields all are. */
function isScalarZero(v: GoValue): boolean {
  if (
    v === undefined || v === null || v === '' || v === 0 || v === false ||
    (v instanceof Duration && v.ns === 0n) || (v instanceof Bytes && v.n === 0) || (v instanceof Float && v.v === 0)
  ) {
    return true;
  }
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof Expr || v instanceof OrderedMap || v instanceof Duration || v instanceof Bytes || v instanceof Float) return false;
  const values = Object.values(v);
  return values.length > 0 && values.every(isScalarZero);
}

export function goDeepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (a instanceof Duration && b instanceof Duration) return a.ns === b.ns;
  if (a instanceof Bytes && b instanceof Bytes) return a.n === b.n;
  if (a instanceof Float && b instanceof Float) return a.v === b.v;
  if (a instanceof Expr && b instanceof Expr) return a.text === b.text;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => goDeepEqual(x, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    if (a instanceof OrderedMap || b instanceof OrderedMap) return false;
    // Struct values are written sparsely here: a missing field is Go's zero value.
    const oa = a as Record<string, GoValue>;
    const ob = b as Record<string, GoValue>;
    const keys = new Set([...Object.keys(oa), ...Object.keys(ob)]);
    for (const k of keys) {
      if (!goDeepEqual(oa[k], ob[k]) && !(isScalarZero(oa[k]) && isScalarZero(ob[k]))) return false;
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Values (builder/value_tokens.go)

export function encodeValue(v: GoValue): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatGoFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Duration) return quote(formatDurationNs(v.ns));
  if (v instanceof Bytes) return quote(formatBytes(v.n));
  if (v instanceof Float) return formatGoFloat(v.v);
  if (v instanceof Expr) return v.text;
  if (Array.isArray(v)) return `[${v.map(encodeValue).join(', ')}]`;
  if (v instanceof OrderedMap) return objectText(v.entries);
  const obj = v as Record<string, GoValue>;
  const keys = Object.keys(obj).sort();
  return objectText(keys.map((k) => [k, obj[k]] as const));
}

function objectText(entries: readonly (readonly [string, GoValue])[]): string {
  let out = '{\n';
  for (const [k, val] of entries) out += `${isValidIdentifier(k) ? k : quote(k)} = ${encodeValue(val)},\n`;
  return out + '}';
}

/** strconv.FormatFloat(f, 'f', -1, 64): the shortest digits, never an exponent (value.Number.ToString). */
function formatGoFloat(f: number): string {
  return formatFloat(f, 'f', -1);
}
