/**
 * `string.format`'s arguments as the Go values Alloy hands to fmt.Sprintf:
 * what an untyped decode produces (grafana/alloy syntax/vm decode of
 * interface {}): ints → int (uint64 above int64), floats → float64, arrays →
 * []interface {}, objects → map[string]interface {}, null → nil. A secret is
 * the string type alloytypes.Secret, an optional secret the struct
 * alloytypes.OptionalSecret{IsSecret, Value}, a function a func pointer.
 * The printing itself is src/go/fmt.ts, shared with templates' printf.
 */
import { GoFloat, GoNamedString, GoPointer, GoStruct, GoUint, sprintf, type GoValue } from '../../go/fmt.js';
import { OptionalSecret, Secret, goTypeOfAny, type Value } from '../value.js';

/** fmt.Sprintf(format, args...) with Alloy values as arguments. */
export function goSprintf(format: string, args: readonly Value[]): string {
  return sprintf(format, args.map(toGoValue));
}

/** The Go value an Alloy value decodes to as an interface {}. */
export function toGoValue(v: Value): GoValue {
  switch (v.type) {
    case 'null': return null;
    case 'bool': return v.value;
    case 'string': return v.value;
    case 'number':
      if (v.kind === 'float') return new GoFloat(v.value);
      return goTypeOfAny(v) === 'uint64' ? new GoUint(v.value) : v.value;
    case 'array': return v.elements.map(toGoValue);
    case 'object': return new Map([...v.fields].map(([k, x]) => [k, toGoValue(x)]));
    case 'function': return new GoPointer(v.goType);
    case 'capsule': {
      const p = v.payload;
      if (p instanceof Secret) return new GoNamedString(p.capsuleType, p.value);
      if (p instanceof OptionalSecret) return new GoStruct(p.capsuleType, [['IsSecret', p.isSecret], ['Value', p.value]]);
      return new GoStruct(p.capsuleType, []);
    }
  }
}
