/**
 * `array.concat`, `array.combine_maps`, `array.group_by` and `coalesce`:
 * raw functions that work on values directly (grafana/alloy
 * syntax/internal/stdlib/stdlib.go).
 */
import {
  NULL,
  arrayValue,
  isGoZero,
  objectValue,
  stringValue,
  valuesIdentical,
  type ArrayValue,
  type FunctionValue,
  type ObjectValue,
  type TypeName,
  type Value,
} from '../value.js';
import { ArgError, PlainError, TypeMismatchError } from '../value-errors.js';
import { rawFunc } from './func.js';

/** Throws Alloy's argument type error unless `arg` has type `want`. */
function expectArg(fn: FunctionValue, arg: Value, index: number, want: TypeName): void {
  if (arg.type !== want) throw new ArgError(fn, arg, index, new TypeMismatchError(arg, want));
}

function expectArray(fn: FunctionValue, arg: Value, index: number): ArrayValue {
  expectArg(fn, arg, index, 'array');
  return arg as ArrayValue;
}

/** Checks that every element of an array argument is an object. */
function expectObjects(fn: FunctionValue, arr: ArrayValue): ObjectValue[] {
  return arr.elements.map((e, j) => {
    expectArg(fn, e, j, 'object');
    return e as ObjectValue;
  });
}

/** array.concat: flattens its array arguments by one level. */
export const concat = rawFunc('array.concat', (args, self) => {
  if (args.length === 0) return arrayValue([]);
  const arrays = args.map((a, i) => expectArray(self, a, i));
  // A single array is returned as it is (same value).
  if (arrays.length === 1) return arrays[0]!;
  return arrayValue(arrays.flatMap((a) => a.elements));
});

/**
 * array.combine_maps(lhs, rhs, keys [, passthrough]): every lhs×rhs pair
 * whose values for all keys exist and are identical is merged (rhs wins);
 * with passthrough, a non-matching pair yields the lhs element.
 */
export const combineMaps = rawFunc('array.combine_maps', (args, self) => {
  if (args.length !== 3 && args.length !== 4) {
    throw new PlainError(`combine_maps: expected 3 or 4 arguments, got ${args.length}`);
  }
  const lhs = expectObjects(self, expectArray(self, args[0]!, 0));
  const rhs = expectObjects(self, expectArray(self, args[1]!, 1));
  const keys = mergeKeys(self, args[2]!);
  const passthrough = args.length === 4 ? boolArg(self, args[3]!, 3) : false;
  const out: Value[] = [];
  for (const l of lhs) {
    for (const r of rhs) {
      if (shouldJoin(l, r, keys)) out.push(mergeObjects(l, r));
      else if (passthrough) out.push(l);
    }
  }
  return arrayValue(out);
});

function mergeKeys(fn: FunctionValue, arg: Value): string[] {
  const arr = expectArray(fn, arg, 2);
  if (arr.elements.length === 0) {
    throw new ArgError(fn, arg, 2, new Error('combine_maps: merge conditions must not be empty'));
  }
  return arr.elements.map((e, j) => {
    expectArg(fn, e, j, 'string');
    return (e as Value & { type: 'string' }).value;
  });
}

function boolArg(fn: FunctionValue, arg: Value, index: number): boolean {
  expectArg(fn, arg, index, 'bool');
  return (arg as Value & { type: 'bool' }).value;
}

function shouldJoin(l: ObjectValue, r: ObjectValue, keys: readonly string[]): boolean {
  return keys.every((k) => {
    const a = l.fields.get(k);
    const b = r.fields.get(k);
    return a !== undefined && b !== undefined && valuesIdentical(a, b);
  });
}

function mergeObjects(l: ObjectValue, r: ObjectValue): ObjectValue {
  return objectValue(new Map([...l.fields, ...r.fields]));
}

/**
 * array.group_by(list, key, drop_missing): groups objects by the string
 * value of their field `key` into `{<key> = value, items = [...]}`. Objects
 * without the key form the group "" unless dropped. Alloy's group order is
 * random (a Go map); here it is the order of first appearance.
 */
export const groupBy = rawFunc('array.group_by', (args, self) => {
  if (args.length !== 3) throw new PlainError(`group_by: expected 3 arguments, got ${args.length}`);
  const list = expectArray(self, args[0]!, 0);
  expectArg(self, args[1]!, 1, 'string');
  const key = (args[1] as Value & { type: 'string' }).value;
  const dropMissing = boolArg(self, args[2]!, 2);
  const groups = new Map<string, Value[]>();
  list.elements.forEach((item, j) => {
    expectArg(self, item, j, 'object');
    const group = groupKey(self, item as ObjectValue, j, key);
    if (group === undefined && dropMissing) return;
    const name = group ?? '';
    groups.set(name, [...(groups.get(name) ?? []), item]);
  });
  return arrayValue([...groups].map(([name, items]) => objectValue(new Map<string, Value>([[key, stringValue(name)], ['items', arrayValue(items)]]))));
});

function groupKey(fn: FunctionValue, item: ObjectValue, index: number, key: string): string | undefined {
  const v = item.fields.get(key);
  if (v === undefined) return undefined;
  if (v.type !== 'string') throw new ArgError(fn, item, index, new TypeMismatchError(v, 'string'));
  return v.value;
}

/**
 * coalesce: the first argument that is not null, not a Go zero value and not
 * an empty array/object; otherwise the last argument (null with none).
 */
export const coalesce = rawFunc('coalesce', (args) => {
  if (args.length === 0) return NULL;
  for (const arg of args) {
    if (arg.type === 'null' || isGoZero(arg)) continue;
    if (arg.type === 'array' && arg.elements.length === 0) continue;
    if (arg.type === 'object' && arg.fields.size === 0) continue;
    return arg;
  }
  return args[args.length - 1]!;
});
