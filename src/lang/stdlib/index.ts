/**
 * The standard library: top-level identifiers visible in every scope
 * (stdlib.go). Namespaces are plain objects of functions; the deprecated
 * top-level aliases share the namespaced functions and are listed so
 * `validate` can warn about them.
 */
import { functionValue, objectValue, stringValue, type FunctionValue, type Value } from '../value.js';
import { T } from '../value-decode.js';
import { coalesce, combineMaps, concat, groupBy } from './array.js';
import { constantsValue } from './constants.js';
import { encodingFunctions } from './encoding.js';
import { joinPath } from './filepath.js';
import { typedFunc } from './func.js';
import { jsonPath } from './jsonpath.js';
import { stringFunctions } from './strings.js';
import type { Secret } from '../value.js';

export { setBuildVersion } from './constants.js';

const sysEnv = typedFunc({ name: 'sys.env', goType: 'func(string) string', params: [T.string] }, (name: string) =>
  stringValue(process.env[name] ?? ''),
);

const nonsensitive = typedFunc(
  { name: 'convert.nonsensitive', goType: 'func(alloytypes.Secret) string', params: [T.secret] },
  (s: Secret) => stringValue(s.value),
);

const pathJoin = typedFunc(
  { name: 'file.path_join', goType: 'func(...string) string', params: [], variadic: T.string },
  (parts: string[]) => stringValue(joinPath(parts)),
);

const jsonPathFn = typedFunc(
  { name: 'json_path', goType: 'func(string, string) (interface {}, error)', params: [T.string, T.string] },
  (json: string, path: string) => jsonPath(json, path),
);

const strings = stringFunctions();
const encoding = encodingFunctions();

/** Top-level identifiers other than `constants` (which is computed on lookup). */
const IDENTIFIERS = new Map<string, Value>([
  ['coalesce', coalesce],
  ['json_path', jsonPathFn],
  ['sys', objectValue({ env: sysEnv })],
  ['convert', objectValue({ nonsensitive })],
  ['array', objectValue({ concat, combine_maps: combineMaps, group_by: groupBy })],
  ['encoding', objectValue(encoding)],
  ['string', objectValue(strings)],
  ['file', objectValue({ path_join: pathJoin })],
]);

/** Deprecated top-level aliases of namespaced functions. */
const DEPRECATED = new Map<string, FunctionValue>([
  ['env', sysEnv],
  ['nonsensitive', nonsensitive],
  ['concat', concat],
  ['json_decode', encoding.from_json!],
  ['yaml_decode', encoding.from_yaml!],
  ['base64_decode', encoding.from_base64!],
  ['format', strings.format!],
  ['join', strings.join!],
  ['replace', strings.replace!],
  ['split', strings.split!],
  ['to_lower', strings.to_lower!],
  ['to_upper', strings.to_upper!],
  ['trim', strings.trim!],
  ['trim_prefix', strings.trim_prefix!],
  ['trim_suffix', strings.trim_suffix!],
  ['trim_space', strings.trim_space!],
]);

/** Full names of experimental stdlib functions (need stability level experimental). */
const EXPERIMENTAL = new Set(['array.combine_maps', 'array.group_by']);

/** The stdlib value of a top-level identifier, if any. */
export function lookupStdlib(name: string): Value | undefined {
  if (name === 'constants') return constantsValue();
  return IDENTIFIERS.get(name) ?? DEPRECATED.get(name);
}

/** True for every top-level stdlib identifier (including deprecated ones). */
export function isStdlibIdentifier(name: string): boolean {
  return name === 'constants' || IDENTIFIERS.has(name) || DEPRECATED.has(name);
}

/** True for deprecated top-level aliases (`env`, `concat`, `format`, ...). */
export function isStdlibDeprecated(name: string): boolean {
  return DEPRECATED.has(name);
}

/** True for experimental functions, by full name (`array.combine_maps`). */
export function isStdlibExperimental(fullName: string): boolean {
  return EXPERIMENTAL.has(fullName);
}

/** The namespaced replacement of a deprecated alias (`env` → `sys.env`). */
export function deprecatedReplacement(name: string): string | undefined {
  return DEPRECATED.get(name)?.name;
}

/** Makes a host function value (re-exported for hosts adding their own). */
export { functionValue, typedFunc };
