/**
 * YAML values as the Go values yaml.v2 decodes them into (maps, slices,
 * strings, numbers), printed with Go's `%v` from src/go/fmt for the
 * converter's diagnostics ("map[invalid:object]").
 */
import { sprintValue, type GoValue } from '../go/fmt.js';

function toGo(v: unknown): GoValue {
  if (Array.isArray(v)) return v.map(toGo);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toGo(x)]));
  return v as GoValue;
}

export function goFormatValue(v: unknown): string {
  return sprintValue(toGo(v));
}
