/**
 * OTLP names → Prometheus names, as the collector's Prometheus translator
 * does it (opentelemetry-collector-contrib pkg/translator/prometheus:
 * normalize_label.go, normalize_name.go), used by otelcol.exporter.prometheus
 * (metric and label names) and otelcol.exporter.loki (label names).
 */
import type { Metric } from './model.js';

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
const DIGIT = /^[0-9]/;

/**
 * A label name: characters outside [a-zA-Z0-9_] become `_`; a leading digit
 * gets `key_` in front, a single leading underscore `key` (`__` stays).
 */
export function normalizeLabel(label: string): string {
  if (label === '') return label;
  let out = label;
  if (DIGIT.test(out)) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  return out.replace(/[^a-zA-Z0-9_]/g, '_');
}

const UNITS: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  B: 'bytes', KB: 'kilobytes', MB: 'megabytes', GB: 'gigabytes', TB: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent', $: 'dollars',
};

const PER_UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

/** strings.FieldsFunc splitting at every rune that is neither a letter nor a digit. */
function tokens(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (LETTER_OR_DIGIT.test(ch)) cur += ch;
    else if (cur) {
      out.push(cur);
      cur = '';
    }
  }
  if (cur) out.push(cur);
  return out;
}

function cleanUp(s: string): string {
  return tokens(s).join('_');
}

/** Keeps letters, digits, `_` and `:`; every run of other characters becomes one `_` between fields. */
function removeForbiddenRunes(s: string): string {
  return s.split(/[^\p{L}\p{Nd}_:]+/u).filter((f) => f !== '').join('_');
}

function isMonotonicSum(m: Metric): boolean {
  return !!m.sum && !!m.sum.isMonotonic;
}

/**
 * BuildCompliantName(metric, "", addMetricSuffixes): with suffixes, the name's
 * letter/digit tokens, then the unit ("s" → seconds, "By/s" → bytes_per_second;
 * units in braces are annotations and add nothing), `_total` for monotonic
 * sums and `_ratio` for gauges of unit "1"; without, forbidden characters
 * replaced. A leading digit gets `_` in front.
 */
export function buildCompliantName(m: Metric, addMetricSuffixes: boolean): string {
  const name = m.name ?? '';
  if (!addMetricSuffixes) {
    const plain = removeForbiddenRunes(name);
    return DIGIT.test(plain) ? `_${plain}` : plain;
  }
  let parts = tokens(name);
  const unit = m.unit ?? '';
  const slash = unit.indexOf('/');
  const main = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const per = slash < 0 ? '' : unit.slice(slash + 1).trim();
  if (main && !/[{}]/.test(main)) {
    const prom = cleanUp(UNITS[main] ?? main);
    if (prom && !parts.includes(prom)) parts.push(prom);
  }
  if (per && !/[{}]/.test(per)) {
    const prom = cleanUp(PER_UNITS[per] ?? per);
    if (prom && !parts.includes(prom)) parts.push('per', prom);
  }
  if (isMonotonicSum(m)) parts = [...parts.filter((p) => p !== 'total'), 'total'];
  if (unit === '1' && m.gauge) parts = [...parts.filter((p) => p !== 'ratio'), 'ratio'];
  const out = parts.join('_');
  return DIGIT.test(out) ? `_${out}` : out;
}
