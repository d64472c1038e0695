/**
 * The parts of Go's fmt and strconv that Go templates print with: values
 * rendered as `%v` (fmt.Sprint), `printf` verbs, float formatting
 * (strconv 'f', 'e', 'g' with shortest precision) and strconv.Quote.
 *
 * Value model shared with go-template.ts: strings, numbers (Go ints; a Go
 * float64 is a GoFloat), booleans, null (nil), undefined (no value), arrays
 * (slices), Maps (Go maps) and GoTime.
 */

/** A Go float64 (JS numbers stand for Go ints, so floats are tagged). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** A Go time.Time. */
export class GoTime {
  constructor(
    readonly ms: number,
    readonly ns: number,
  ) {}
}

export type GoValue = string | number | boolean | null | undefined | GoFloat | GoTime | GoValue[] | Map<string, GoValue>;

/** Go's type name of a value, as fmt's %T and template errors print it. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoFloat) return 'float64';
  if (v instanceof GoTime) return 'time.Time';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Map) return 'map[string]interface {}';
  return 'interface {}';
}

/** fmt.Sprint of one value (`%v`). */
export function sprintValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatInt(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoFloat) return formatFloat(v.value, 'g', -1);
  if (v instanceof GoTime) return formatTimeValue(v);
  if (Array.isArray(v)) return `[${v.map(sprintValue).join(' ')}]`;
  if (v instanceof Map) {
    const keys = [...v.keys()].sort();
    return `map[${keys.map((k) => `${k}:${sprintValue(v.get(k))}`).join(' ')}]`;
  }
  return String(v);
}

/** fmt.Sprint of several operands: spaces only between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += sprintValue(args[i]);
  }
  return out;
}

/** fmt.Sprintln: always spaces between operands, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return args.map(sprintValue).join(' ') + '\n';
}

function formatInt(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? n.toFixed(0) : BigInt(n).toString();
  return formatFloat(n, 'g', -1);
}

function formatTimeValue(t: GoTime): string {
  const d = new Date(t.ms);
  const ns = (((t.ms % 1000) + 1000) % 1000) * 1e6 + t.ns;
  const frac = ns === 0 ? '' : `.${String(ns).padStart(9, '0').replace(/0+$/, '')}`;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}${frac} +0000 UTC`;
}

// ---------------------------------------------------------------------------
// strconv

/** strconv.FormatFloat(f, fmt, prec, 64); prec -1 is the shortest repr that round-trips. */
export function formatFloat(f: number, fmt: 'f' | 'e' | 'g' | 'E' | 'G', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const body = formatAbs(Math.abs(f), fmt.toLowerCase() as 'f' | 'e' | 'g', prec);
  const out = (neg ? '-' : '') + body;
  return fmt === 'E' || fmt === 'G' ? out.toUpperCase() : out;
}

function formatAbs(a: number, fmt: 'f' | 'e' | 'g', prec: number): string {
  const { digits, exp } = decimalDigits(a, fmt, prec);
  if (fmt === 'f') return fixedNotation(digits, exp, prec < 0 ? Math.max(digits.length - exp, 0) : prec);
  if (fmt === 'e') return expNotation(digits, exp, prec < 0 ? digits.length - 1 : prec);
  // %g: exponent form when the exponent is < -4 or >= the precision (6 for the shortest form, as strconv does).
  const eprec = prec < 0 ? 6 : prec === 0 ? 1 : prec;
  const x = exp - 1;
  if (x < -4 || x >= eprec) return expNotation(digits, exp, (prec < 0 ? digits.length : Math.min(digits.length, eprec)) - 1);
  return fixedNotation(digits, exp, Math.max((prec < 0 ? digits.length : Math.min(digits.length, eprec)) - exp, 0));
}

/** Decimal digits of `a` (no leading zeros) and the decimal exponent: a = 0.d1d2… × 10^exp. */
function decimalDigits(a: number, fmt: 'f' | 'e' | 'g', prec: number): { digits: string; exp: number } {
  if (a === 0) return { digits: '0', exp: 1 };
  let text: string;
  if (prec < 0) text = a.toExponential();
  else if (fmt === 'f') {
    const fixed = a.toFixed(Math.min(prec, 100));
    const [i, frac = ''] = fixed.split('.');
    const all = (i === '0' ? '' : i!) + frac;
    const trimmed = all.replace(/^0+/, '');
    if (trimmed === '') return { digits: '0', exp: 1 };
    return { digits: trimmed, exp: i === '0' ? -(frac.length - frac.replace(/^0+/, '').length) : i!.length };
  } else text = a.toExponential(Math.max(0, Math.min((fmt === 'g' ? Math.max(prec, 1) : prec + 1) - 1, 100)));
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)!;
  let digits = m[1]! + (m[2] ?? '');
  if (prec < 0 || fmt === 'g') digits = digits.replace(/0+$/, '') || '0';
  return { digits, exp: Number(m[3]) + 1 };
}

function fixedNotation(digits: string, exp: number, decimals: number): string {
  let intPart: string;
  let frac: string;
  if (exp <= 0) {
    intPart = '0';
    frac = '0'.repeat(-exp) + digits;
  } else if (exp >= digits.length) {
    intPart = digits + '0'.repeat(exp - digits.length);
    frac = '';
  } else {
    intPart = digits.slice(0, exp);
    frac = digits.slice(exp);
  }
  frac = frac.slice(0, decimals).padEnd(decimals, '0');
  return decimals > 0 ? `${intPart}.${frac}` : intPart;
}

function expNotation(digits: string, exp: number, decimals: number): string {
  const mantissa = digits[0]! + (decimals > 0 ? '.' + digits.slice(1, 1 + decimals).padEnd(decimals, '0') : '');
  const e = exp - 1;
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** strconv.Quote: Go double-quoted string with Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** The body of a Go double-quoted string literal with its escapes resolved (strconv.Unquote); throws on a bad escape. */
export function unescapeGoString(body: string): string {
  return body.replace(/\\(?:([abfnrtv\\'"])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|([\s\S]?))/g, (_m, c, x, u, U, o, bad) => {
    if (bad !== undefined) throw new Error('invalid syntax');
    if (c) return SIMPLE_ESCAPES[c]!;
    const hex = x ?? u ?? U;
    return String.fromCodePoint(hex ? parseInt(hex, 16) : parseInt(o, 8));
  });
}

// ---------------------------------------------------------------------------
// Sprintf

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string;
}

/** fmt.Sprintf with the common verbs (v s q d b o x X e E f F g G t c U %) and flags. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    const m = /^%([-+# 0]*)(\d+)?(?:\.(\d*))?(.)?/su.exec(format.slice(pct))!;
    i = pct + m[0].length;
    const flags = m[1]!;
    const spec: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      sharp: flags.includes('#'),
      zero: flags.includes('0'),
      space: flags.includes(' '),
      width: m[2] === undefined ? undefined : Number(m[2]),
      prec: m[3] === undefined ? undefined : Number(m[3] || '0'),
      verb: m[4] ?? '',
    };
    if (spec.verb === '') {
      out += '%!(NOVERB)';
      continue;
    }
    if (spec.verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${spec.verb}(MISSING)`;
      continue;
    }
    out += formatVerb(spec, args[argi++]);
  }
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goTypeName(a)}=${sprintValue(a)}`).join(', ')})`;
  return out;
}

function pad(spec: Spec, s: string, numeric = false): string {
  if (spec.width === undefined || s.length >= spec.width) return s;
  if (spec.minus) return s.padEnd(spec.width, ' ');
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return s.padStart(spec.width, ' ');
}

function badVerb(spec: Spec, v: unknown): string {
  return `%!${spec.verb}(${goTypeName(v)}=${sprintValue(v)})`;
}

function formatVerb(spec: Spec, v: unknown): string {
  const verb = spec.verb;
  if (verb === 'v') return pad(spec, v instanceof GoFloat ? withSign(spec, formatFloat(v.value, 'g', spec.prec ?? -1)) : sprintValue(v));
  if (verb === 'T') return pad(spec, goTypeName(v));
  if (typeof v === 'string') return formatString(spec, v);
  if (typeof v === 'boolean') return verb === 't' ? pad(spec, String(v)) : badVerb(spec, v);
  if (typeof v === 'number' && Number.isInteger(v)) return formatInteger(spec, v);
  if (typeof v === 'number' || v instanceof GoFloat) return formatFloatVerb(spec, typeof v === 'number' ? v : v.value, v);
  return verb === 's' ? pad(spec, sprintValue(v)) : badVerb(spec, v);
}

function formatString(spec: Spec, s: string): string {
  const cut = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
  switch (spec.verb) {
    case 's':
      return pad(spec, cut);
    case 'q':
      return pad(spec, spec.sharp && !cut.includes('`') ? `\`${cut}\`` : goQuote(cut));
    case 'x':
    case 'X': {
      const hex = Buffer.from(cut, 'utf8').toString('hex');
      return pad(spec, spec.verb === 'X' ? hex.toUpperCase() : hex);
    }
    default:
      return badVerb(spec, s);
  }
}

function withSign(spec: Spec, s: string): string {
  if (s.startsWith('-')) return s;
  if (spec.plus) return `+${s}`;
  if (spec.space) return ` ${s}`;
  return s;
}

function formatInteger(spec: Spec, n: number): string {
  const neg = n < 0;
  const abs = BigInt(Math.abs(n));
  let body: string;
  switch (spec.verb) {
    case 'd':
      body = abs.toString();
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'o':
      body = (spec.sharp ? '0' : '') + abs.toString(8);
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'c':
      return pad(spec, String.fromCodePoint(n));
    case 'q':
      return pad(spec, `'${String.fromCodePoint(n)}'`);
    case 'U':
      return pad(spec, `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return badVerb(spec, n);
    default:
      return badVerb(spec, n);
  }
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  return pad(spec, withSign(spec, (neg ? '-' : '') + body), spec.prec === undefined);
}

function formatFloatVerb(spec: Spec, f: number, original: unknown): string {
  let s: string;
  switch (spec.verb) {
    case 'e':
    case 'E':
      s = formatFloat(f, spec.verb, spec.prec ?? 6);
      break;
    case 'f':
    case 'F':
      s = formatFloat(f, 'f', spec.prec ?? 6);
      break;
    case 'g':
    case 'G':
      s = formatFloat(f, spec.verb, spec.prec ?? -1);
      break;
    default:
      return badVerb(spec, original);
  }
  return pad(spec, withSign(spec, s), true);
}
