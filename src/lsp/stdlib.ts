/** The standard library as the editor lists it: every function and constant with its Go type. */
import { lookupStdlib } from '../lang/stdlib/index.js';
import type { Value } from '../lang/value.js';
import { stdlibDescription } from '../lang/stdlib/descriptions.js';

export interface StdlibEntry {
  name: string;
  /** `func(string) string` for functions, the value's type otherwise. */
  signature: string;
  isFunction: boolean;
  description?: string;
}

/** Top-level identifiers of the stdlib (grafana/alloy syntax/internal/stdlib). */
const TOP_LEVEL = ['coalesce', 'json_path', 'sys', 'convert', 'array', 'encoding', 'string', 'file', 'constants'];

let cached: StdlibEntry[] | undefined;

export function stdlibEntries(): StdlibEntry[] {
  cached ??= TOP_LEVEL.flatMap((name) => {
    const value = lookupStdlib(name);
    return value ? entriesOf(name, value) : [];
  });
  return cached;
}

function entriesOf(name: string, value: Value): StdlibEntry[] {
  if (value.type === 'object') return [...value.fields].flatMap(([key, v]) => entriesOf(`${name}.${key}`, v));
  const isFunction = value.type === 'function';
  return [{ name, signature: isFunction ? value.goType : value.type, isFunction, description: stdlibDescription(name) }];
}

export function stdlibEntry(name: string): StdlibEntry | undefined {
  return stdlibEntries().find((e) => e.name === name);
}
