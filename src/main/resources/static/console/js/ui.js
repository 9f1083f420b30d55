// Small DOM helpers shared by the pages: element building, tables, states and formatting.

/** Builds an element: h('a', {href: '#/x', class: 'y'}, 'text', child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's content. */
export function put(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

/** An error box: the message and, for invalid requests, each problem. */
export function errorBox(error) {
  const problems = error && error.problems && error.problems.length
    ? h('ul', {}, error.problems.map((p) => h('li', {}, p)))
    : null;
  return h('div', { class: 'error', role: 'alert' }, String(error && error.message ? error.message : error), problems);
}

/** A live status line: set(text) or set(error). */
export function statusLine() {
  const element = h('div', { class: 'status', role: 'status' });
  element.set = (value) => {
    if (value instanceof Error) put(element, errorBox(value));
    else put(element, value || '');
  };
  return element;
}

/**
 * A table: columns [{title, value: row => node|text, num: bool}], rows. Empty rows show `empty`.
 */
export function table(columns, rows, { caption, empty = 'Nothing yet.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('div', { class: 'scroll' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.title)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.value(row))))))));
}

/** A definition list of [term, value] pairs, skipping empty values. */
export function pairs(entries) {
  return h('dl', { class: 'pairs' },
    entries.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** A labelled input or select: field('Name', input). */
let fieldCount = 0;
export function field(label, control) {
  if (!control.id) control.id = 'f' + ++fieldCount;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

export function select(options, { value, ...attributes } = {}) {
  const element = h('select', attributes,
    options.map((o) => {
      const [v, text] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: String(v) === String(value) }, text);
    }));
  return element;
}

/** A number, compactly: 3 significant digits for small ones, thousands grouped for large ones. */
export function num(value, digits = 3) {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e15 || abs < 1e-4) return value.toExponential(2);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(digits)));
}

export function bytes(value) {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i ? v.toFixed(1) : v) + ' ' + units[i];
}

export function seconds(value) {
  if (value === null || value === undefined) return '–';
  if (value < 1) return num(value * 1000) + ' ms';
  if (value < 120) return num(value) + ' s';
  if (value < 7200) return num(value / 60) + ' min';
  return num(value / 3600) + ' h';
}

export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString();
}

/** A money figure with its currency, in enough digits to tell tiny amounts apart. */
export function money(value, currency = 'USD') {
  if (value === null || value === undefined) return '–';
  return num(value, 3) + ' ' + currency;
}

/** A {value, source} figure from the capacity report, marked ≈ when estimated. */
export function figure(f, format = num) {
  if (!f) return '–';
  const text = format(f.value);
  return f.source === 'estimated' ? h('span', { title: 'estimated' }, '≈ ' + text) : text;
}

export function stateBadge(state) {
  return h('span', { class: 'state state-' + state }, state);
}

export function link(href, text) {
  return h('a', { href }, text);
}

/** Asks for confirmation in the page's modal dialog; resolves true when confirmed. */
export function confirmAction(text, okText = 'Confirm') {
  const dialog = document.getElementById('confirm');
  put(document.getElementById('confirm-text'), text);
  document.getElementById('confirm-ok').textContent = okText;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/** Runs an async action from a button: disables it meanwhile and reports errors in status. */
export async function busy(button, status, action) {
  button.disabled = true;
  try {
    status && status.set('Working…');
    await action();
    if (status && status.textContent === 'Working…') status.set('');
  } catch (e) {
    if (status) status.set(e);
    else throw e;
  } finally {
    button.disabled = false;
  }
}
