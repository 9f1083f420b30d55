// Hand-written SVG charts: a line chart, horizontal bars, a heat map and a scatter plot.
// Each is an <svg role="img"> with a text summary as its accessible name; colours come from
// classes in console.css.
import { h, num } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function svg(width, height, label, ...children) {
  return s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label }, children);
}

/** About five round tick values from lo to hi. */
function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function extent(values, pad = 0) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const margin = (hi - lo) * pad;
  return [lo - margin, hi + margin];
}

/** Axes, grid and tick labels for x in [x0, x1] and y in [y0, y1]; returns the scales too. */
function frame(width, height, [x0, x1], [y0, y1], xLabel, yLabel, { logX = false } = {}) {
  const m = { left: 56, right: 30, top: 12, bottom: 40 };
  const tx = logX ? (v) => Math.log10(v) : (v) => v;
  const [a, b] = [tx(x0), tx(x1)];
  const x = (v) => m.left + ((tx(v) - a) / (b - a || 1)) * (width - m.left - m.right);
  const y = (v) => height - m.bottom - ((v - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  const parts = [];
  for (const t of ticks(y0, y1)) {
    parts.push(s('line', { class: 'grid-line', x1: m.left, x2: width - m.right, y1: y(t), y2: y(t) }));
    parts.push(s('text', { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, num(t)));
  }
  const xTicks = logX
    ? ticks(a, b).filter(Number.isInteger).map((p) => Math.pow(10, p))
    : ticks(x0, x1);
  for (const t of xTicks) {
    parts.push(s('text', { x: x(t), y: height - m.bottom + 16, 'text-anchor': 'middle' }, num(t)));
  }
  parts.push(s('line', { class: 'axis', x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  parts.push(s('line', { class: 'axis', x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom }));
  parts.push(s('text', { x: (m.left + width - m.right) / 2, y: height - 6, 'text-anchor': 'middle' }, xLabel));
  parts.push(s('text', { x: 12, y: (m.top + height - m.bottom) / 2, 'text-anchor': 'middle',
    transform: `rotate(-90 12 ${(m.top + height - m.bottom) / 2})` }, yLabel));
  return { parts, x, y };
}

/**
 * Lines of [x, y] points: series [{name, points}]. The svg's data-points attribute counts the
 * points of the longest series (the console's browser test watches it grow).
 */
export function lineChart(series, { xLabel = 'epoch', yLabel = 'loss', title = 'Learning curve' } = {}) {
  const all = series.flatMap((se) => se.points);
  const width = 640;
  const height = 260;
  const longest = Math.max(0, ...series.map((se) => se.points.length));
  const last = series.map((se) => se.points.length ? `${se.name} ${num(se.points[se.points.length - 1][1])}` : null)
    .filter(Boolean).join(', ');
  const label = longest ? `${title}: ${longest} points; last ${last}` : `${title}: no points yet`;
  const { parts, x, y } = frame(width, height, extent(all.map((p) => p[0])), extent(all.map((p) => p[1]), 0.05), xLabel, yLabel);
  const lines = series.map((se, i) => se.points.length > 1
    ? s('polyline', { class: `series s${i}`, points: se.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ') })
    : se.points.length === 1 ? s('circle', { class: `s${i}`, cx: x(se.points[0][0]), cy: y(se.points[0][1]), r: 3 }) : null);
  const chart = svg(width, height, label, parts, lines);
  chart.setAttribute('data-points', String(longest));
  return h('figure', {},
    chart,
    h('ul', { class: 'legend' }, series.map((se, i) => h('li', { class: `s${i}` }, se.name))));
}

/** Horizontal bars for [label, value] entries in [0, max] (probabilities by default). */
export function barChart(entries, { max = 1, title = 'Probabilities', format = (v) => num(v) } = {}) {
  const rowHeight = 24;
  const width = 520;
  const left = 120;
  const height = entries.length * rowHeight + 8;
  const bars = entries.map(([label, value], i) => {
    const w = Math.max(0, (value / max) * (width - left - 70));
    return s('g', {},
      s('text', { x: left - 8, y: i * rowHeight + 18, 'text-anchor': 'end' }, label),
      s('rect', { class: 'bar', x: left, y: i * rowHeight + 5, width: w.toFixed(1), height: rowHeight - 8 }),
      s('text', { x: left + w + 6, y: i * rowHeight + 18 }, format(value)));
  });
  const label = `${title}: ` + entries.map(([l, v]) => `${l} ${format(v)}`).join(', ');
  return h('figure', {}, svg(width, height, label, bars));
}

/** Relative luminance (WCAG); below 0.18 white text reads at 4.5:1, above it black does. */
function luminance(r, g, b) {
  const lin = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** A confusion matrix: rows are the actual class, columns the predicted one; darker is more. */
export function heatmap(matrix, labels, { title = 'Confusion matrix' } = {}) {
  const n = labels.length;
  const cell = Math.max(28, Math.min(56, Math.floor(420 / Math.max(n, 1))));
  const left = 110;
  const top = 40;
  const width = left + n * cell + 10;
  const height = top + n * cell + 30;
  const parts = [];
  for (let i = 0; i < n; i++) {
    const rowTotal = matrix[i].reduce((a, b) => a + b, 0) || 1;
    parts.push(s('text', { x: left - 6, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end' }, labels[i]));
    for (let j = 0; j < n; j++) {
      const share = matrix[i][j] / rowTotal;
      // white to the accent blue (31, 78, 121), by the share of the actual class's rows
      const r = Math.round(255 - share * (255 - 31));
      const g = Math.round(255 - share * (255 - 78));
      const b = Math.round(255 - share * (255 - 121));
      parts.push(s('rect', { x: left + j * cell, y: top + i * cell, width: cell - 1, height: cell - 1, fill: `rgb(${r},${g},${b})` },
        s('title', {}, `actual ${labels[i]}, predicted ${labels[j]}: ${matrix[i][j]}`)));
      parts.push(s('text', { x: left + j * cell + cell / 2, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'middle',
        class: luminance(r, g, b) < 0.18 ? 'on-dark' : 'on-light' }, matrix[i][j]));
    }
  }
  for (let j = 0; j < n; j++) {
    parts.push(s('text', { x: left + j * cell + cell / 2, y: top - 8, 'text-anchor': 'middle' }, labels[j]));
  }
  parts.push(s('text', { x: left + (n * cell) / 2, y: 14, 'text-anchor': 'middle' }, 'predicted'));
  parts.push(s('text', { x: 10, y: top + (n * cell) / 2, transform: `rotate(-90 10 ${top + (n * cell) / 2})`, 'text-anchor': 'middle' }, 'actual'));
  const correct = matrix.reduce((a, row, i) => a + row[i], 0);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const label = `${title}: ${correct} of ${total} test rows on the diagonal (right)`;
  const chart = svg(width, height, label, parts);
  chart.classList.add('heatmap');
  return h('figure', {}, chart, h('figcaption', {}, 'Rows: actual class; columns: predicted class; shade: share of the actual class.'));
}

/** Points [{x, y, label}] on a plane; logX for figures spanning orders of magnitude. */
export function scatter(points, { xLabel, yLabel, title, logX = false } = {}) {
  const width = 640;
  const height = 300;
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!logX || p.x > 0));
  let [x0, x1] = extent(usable.map((p) => p.x), 0.05);
  if (logX) {
    const xs = usable.map((p) => p.x);
    x0 = xs.length ? Math.pow(10, Math.floor(Math.log10(Math.min(...xs)))) : 1e-6;
    x1 = xs.length ? Math.pow(10, Math.ceil(Math.log10(Math.max(...xs)) + 1e-9)) : 1;
  }
  const { parts, x, y } = frame(width, height, [x0, x1], extent(usable.map((p) => p.y), 0.1), xLabel, yLabel, { logX });
  const dots = usable.map((p) => s('g', {},
    s('circle', { class: 's0', cx: x(p.x), cy: y(p.y), r: 5 }, s('title', {}, `${p.label}: ${yLabel} ${num(p.y)}, ${xLabel} ${num(p.x)}`)),
    s('text', { x: x(p.x) + 7, y: y(p.y) - 6 }, p.label)));
  const label = `${title}: ` + (usable.length ? usable.map((p) => `${p.label} (${num(p.x)}, ${num(p.y)})`).join('; ') : 'no versions with both figures');
  return h('figure', {}, svg(width, height, label, parts, dots));
}

/**
 * A comparison's Pareto picture: candidates [{x: cost per million predictions, y: quality, label,
 * front, recommended}] on a log cost axis; the front's points are squares joined by a line, the
 * others circles, the recommendation ringed, so that colour is never the only mark. The figure's
 * caption says in words which candidates are on the front and which is recommended.
 */
export function paretoChart(points, { xLabel, yLabel, title = 'Pareto front' } = {}) {
  const width = 640;
  const height = 300;
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0);
  const xs = usable.map((p) => p.x);
  const x0 = xs.length ? Math.pow(10, Math.floor(Math.log10(Math.min(...xs)))) : 1e-6;
  const x1 = xs.length ? Math.pow(10, Math.ceil(Math.log10(Math.max(...xs)) + 1e-9)) : 1;
  const { parts, x, y } = frame(width, height, [x0, x1], extent(usable.map((p) => p.y), 0.1), xLabel, yLabel, { logX: true });
  const front = usable.filter((p) => p.front).sort((a, b) => a.x - b.x);
  const line = front.length > 1
    ? s('polyline', { class: 'series s1', points: front.map((p) => `${x(p.x)},${y(p.y)}`).join(' ') })
    : null;
  const describe = (p) => `${p.label}: ${yLabel} ${num(p.y, 4)}, ${xLabel} ${num(p.x)}`
    + (p.front ? ', on the Pareto front' : '') + (p.recommended ? ', recommended' : '');
  const marks = usable.map((p) => s('g', { class: p.front ? 'pareto' : null },
    p.front
      ? s('rect', { class: 's1', x: x(p.x) - 5, y: y(p.y) - 5, width: 10, height: 10 }, s('title', {}, describe(p)))
      : s('circle', { class: 's0', cx: x(p.x), cy: y(p.y), r: 5 }, s('title', {}, describe(p))),
    p.recommended ? s('circle', { class: 'ring', cx: x(p.x), cy: y(p.y), r: 10 }) : null,
    s('text', { x: x(p.x) + 12, y: y(p.y) - 8 }, p.label)));
  const label = `${title}: ` + (usable.length ? usable.map(describe).join('; ') : 'no finished candidate yet');
  const chart = svg(width, height, label, parts, line, marks);
  chart.classList.add('pareto-chart');
  chart.setAttribute('data-points', String(usable.length));
  const names = (list) => list.map((p) => p.label).join(', ') || 'none';
  const recommended = usable.filter((p) => p.recommended);
  return h('figure', {}, chart,
    h('figcaption', {},
      `Squares joined by a line: the Pareto front (no other candidate is both at least as good and at most as costly), ${names(front)}. `
      + `Circles: candidates another one beats on both, ${names(usable.filter((p) => !p.front))}. `
      + `Ringed: the recommendation, ${names(recommended)}.`));
}
