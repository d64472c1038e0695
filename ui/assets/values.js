/**
 * Renders the API's Alloy-JSON bodies (arguments, exports, debug info) as
 * tables of attributes and nested blocks, values in Alloy syntax. Secrets
 * arrive from the agent already redacted as the capsule text `(secret)`.
 */
import { h } from './dom.js';

/** @typedef {import('./api.js').Stmt} Stmt */
/** @typedef {import('./api.js').AlloyValue} AlloyValue */

/** Values longer than this on one line are spread over several. */
const MAX_LINE = 80;

/**
 * @param {Stmt[] | undefined} body
 * @param {string} emptyText shown for an empty body
 * @param {import('./api.js').FieldDocs} [docs] descriptions of the body's fields, from the schema
 * @returns {HTMLElement}
 */
export function bodyTable(body, emptyText, docs) {
  if (!body || body.length === 0) return h('p', { class: 'muted' }, emptyText);
  return h('table', { class: 'body' }, h('tbody', {}, body.map((stmt) => statementRow(stmt, docs?.[stmt.name]))));
}

/**
 * @param {Stmt} stmt
 * @param {{ description?: string, fields?: import('./api.js').FieldDocs }} [doc]
 */
function statementRow(stmt, doc) {
  const about = doc?.description ? h('div', { class: 'field-description muted' }, doc.description) : false;
  if (stmt.type === 'attr') return h('tr', { 'data-attr': stmt.name }, h('th', { scope: 'row' }, stmt.name, about), h('td', {}, valueView(stmt.value)));
  const title = stmt.label ? `${stmt.name} ${JSON.stringify(stmt.label)}` : stmt.name;
  return h('tr', { class: 'block', 'data-block': stmt.name },
    h('td', { colspan: 2 }, h('div', { class: 'block-title' }, title), about, bodyTable(stmt.body, '(empty block)', doc?.fields)));
}

/** @param {AlloyValue} v */
export function valueView(v) {
  const text = formatValue(v, '');
  const secret = v.type === 'capsule' && v.value === '(secret)';
  return h(text.includes('\n') ? 'pre' : 'code', { class: `value value-${v.type}${secret ? ' value-secret' : ''}` }, text);
}

/**
 * Alloy syntax for a value, spread over lines like `alloy fmt` when long.
 * @param {AlloyValue} v
 * @param {string} indent of the line the value starts on
 * @returns {string}
 */
export function formatValue(v, indent) {
  const inner = `${indent}  `;
  switch (v.type) {
    case 'string': return JSON.stringify(v.value);
    case 'array': return formatList(/** @type {AlloyValue[]} */ (v.value).map((e) => formatValue(e, inner)), '[', ']', indent);
    case 'object': return formatList(/** @type {{ key: string, value: AlloyValue }[]} */ (v.value).map((f) => `${formatKey(f.key)} = ${formatValue(f.value, inner)}`), '{', '}', indent);
    default: return String(v.value); // null, number, bool, function name, capsule text
  }
}

/**
 * @param {string[]} items already formatted
 * @param {string} open
 * @param {string} close
 * @param {string} indent
 */
function formatList(items, open, close, indent) {
  if (items.length === 0) return `${open}${close}`;
  const pad = open === '{' ? ' ' : '';
  const flat = `${open}${pad}${items.join(', ')}${pad}${close}`;
  if (!flat.includes('\n') && indent.length + flat.length <= MAX_LINE) return flat;
  return `${open}\n${items.map((item) => `${indent}  ${item},`).join('\n')}\n${indent}${close}`;
}

/** @param {string} key */
function formatKey(key) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
}
