/**
 * Building host functions the way Alloy wraps Go functions (value.Call):
 * typed functions check their argument count, decode each argument into its
 * parameter type (with Alloy's conversions) and attribute failures to the
 * argument; errors returned by the implementation are attributed to the
 * function. Raw functions see the values as they are.
 */
import { functionValue, type FunctionValue, type Value } from '../value.js';
import { decode, type TypeDesc } from '../value-decode.js';
import { ArgError, PlainError, ValError, ValueError } from '../value-errors.js';

export interface TypedSpec {
  /** Name for messages and debugging ("string.join"). */
  name: string;
  /** Go signature Alloy reports for the function value. */
  goType: string;
  params: readonly TypeDesc[];
  /** Element type of a trailing variadic parameter. */
  variadic?: TypeDesc;
}

/**
 * A function with typed parameters. `impl` receives the decoded arguments
 * (see Decoded<T>; variadic ones as a trailing array) and may throw an
 * Error, which is reported on the function like a Go error return.
 */
export function typedFunc(spec: TypedSpec, impl: (...args: never[]) => Value): FunctionValue {
  const fixed = spec.params.length;
  return functionValue(spec.name, spec.goType, (args, self) => {
    checkArgCount(self, args.length, fixed, spec.variadic !== undefined);
    const decoded: unknown[] = spec.params.map((p, i) => decodeArg(self, args[i]!, i, p));
    if (spec.variadic) decoded.push(args.slice(fixed).map((a, i) => decodeArg(self, a, fixed + i, spec.variadic!)));
    try {
      return (impl as (...a: unknown[]) => Value)(...decoded);
    } catch (err) {
      if (err instanceof ValueError || err instanceof PlainError) throw err;
      throw new ValError(self, err as Error);
    }
  });
}

/** A function that handles its own argument checking (Go value.RawFunction). */
export function rawFunc(name: string, impl: (args: readonly Value[], self: FunctionValue) => Value): FunctionValue {
  return functionValue(name, 'value.RawFunction', impl);
}

function checkArgCount(self: FunctionValue, got: number, fixed: number, variadic: boolean): void {
  if (variadic && got < fixed) throw new ValError(self, new Error(`expected at least ${fixed} args, got ${got}`));
  if (!variadic && got !== fixed) throw new ValError(self, new Error(`expected ${fixed} args, got ${got}`));
}

function decodeArg(self: FunctionValue, arg: Value, index: number, t: TypeDesc): unknown {
  try {
    return decode(arg, t);
  } catch (err) {
    throw new ArgError(self, arg, index, err as Error);
  }
}
