/**
 * Errors raised while operating on values (Go syntax/internal/value errors).
 * They carry the offending value so the evaluator can find the expression
 * that produced it and print `<expr><path> <reason>` (grafana/alloy
 * syntax/vm/error.go).
 *
 * Host functions and the decoder throw these; the evaluator catches them at
 * its boundary and turns them into diagnostics, so they never escape.
 */
import { describeType, type TypeName, type Value } from './value.js';

/** Base class of all errors that know the value they are about. */
export abstract class ValueError extends Error {
  constructor(
    message: string,
    /** The value the error is about (Go's `Value` field). */
    readonly value: Value,
  ) {
    super(message);
  }
}

/** A generic error about a value (Go value.Error). */
export class ValError extends ValueError {
  constructor(
    value: Value,
    readonly inner: Error,
  ) {
    super(inner.message, value);
  }
}

/** A value had the wrong type (Go value.TypeError). */
export class TypeMismatchError extends ValueError {
  constructor(
    value: Value,
    readonly expected: TypeName,
  ) {
    super(`expected ${expected}, got ${describeType(value)}`, value);
  }
}

/** An object had a key the target does not know (Go value.MissingKeyError). */
export class MissingKeyError extends ValueError {
  constructor(
    value: Value,
    readonly missing: string,
  ) {
    super(`does not have field named ${JSON.stringify(missing)}`, value);
  }
}

/** Decoding element `index` of an array failed (Go value.ElementError). */
export class ElementError extends ValueError {
  constructor(
    value: Value,
    readonly index: number,
    readonly inner: Error,
  ) {
    super(`index ${index}: ${inner.message}`, value);
  }
}

/** Decoding field `field` of an object failed (Go value.FieldError). */
export class FieldError extends ValueError {
  constructor(
    value: Value,
    readonly field: string,
    readonly inner: Error,
  ) {
    super(`field ${JSON.stringify(field)}: ${inner.message}`, value);
  }
}

/** A function argument was invalid (Go value.ArgError). `value` is the argument. */
export class ArgError extends ValueError {
  constructor(
    readonly fn: Value,
    argument: Value,
    readonly index: number,
    readonly inner: Error,
  ) {
    super(inner.message, argument);
  }
}

/**
 * An error with no value attached (a plain Go error). It is reported as its
 * bare message, without any position.
 */
export class PlainError extends Error {}

/** The error wrapped by `err`, if it is a wrapping value error. */
export function innerError(err: Error): Error | undefined {
  if (err instanceof ValError || err instanceof ElementError || err instanceof FieldError || err instanceof ArgError) {
    return err.inner;
  }
  return undefined;
}
