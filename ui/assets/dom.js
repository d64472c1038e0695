/**
 * DOM helpers. Every piece of text reaches the page as a text node or an
 * attribute value, never as markup: component names, labels and values are
 * user input. Nothing in the UI assigns innerHTML.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** @typedef {string | number | boolean | undefined | null} AttrValue */
/** @typedef {Node | string | false | null | undefined} Child */

/**
 * An HTML element with attributes and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/**
 * An SVG element, like h().
 * @param {string} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  return fill(/** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag)), attrs, children);
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {Record<string, AttrValue>} attrs
 * @param {(Child | Child[])[]} children
 * @returns {E}
 */
function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) el.append(child);
  }
  return el;
}

/**
 * An in-app link: `href` is relative to the page's <base href> (the UI prefix).
 * @param {string} href
 * @param {Child} text
 * @param {string} [className]
 */
export function link(href, text, className) {
  return h('a', { href, class: className }, text);
}

/**
 * "12s ago" style age of an ISO time, for health updates.
 * @param {string} iso
 * @param {number} [now]
 */
export function age(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}
