// Charts drawn as SVG by hand: a time-series line chart with real axes and units, and a stacked bar.
// Hand-written because they are small, and a chart library would be the largest asset by far.
import { svg, h } from './dom.js';

/** "Nice" tick values from 0 to at least max: steps of 1, 2 or 5 × 10^n. */
export function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw);
  const ticks = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(+v.toFixed(10));
  return ticks;
}

const hhmm = t => {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/**
 * A line chart of series over time.
 * series: [{name, color, points: [[epochMillis, value], ...]}]; yUnit: the label of the y axis (e.g. "jobs / min").
 */
export function lineChart({ series, yUnit, xLabel = 'time (local)', width = 720, height = 260, title }) {
  const m = { top: 16, right: 16, bottom: 44, left: 58 };
  const w = width - m.left - m.right, ht = height - m.top - m.bottom;
  const all = series.flatMap(s => s.points);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': title || `${yUnit} over time`, preserveAspectRatio: 'xMidYMid meet',
  });
  if (all.length === 0) {
    root.append(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'No data yet'));
    return h('figure.chart-box', root);
  }
  const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]));
  const span = Math.max(t1 - t0, 60_000);
  const yTicks = niceTicks(Math.max(...all.map(p => p[1])));
  const yMax = yTicks[yTicks.length - 1];
  const x = t => m.left + ((t - t0) / span) * w;
  const y = v => m.top + ht - (v / yMax) * ht;

  const grid = svg('g', { class: 'grid' });
  for (const v of yTicks) {
    grid.append(svg('line', { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v) }));
    grid.append(svg('text', { x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, fmtTick(v)));
  }
  // X ticks at whole 5, 10 or 15 minutes, depending on the span.
  const stepMin = [1, 5, 10, 15, 30, 60].find(s => span / (s * 60_000) <= 7) || 120;
  const step = stepMin * 60_000;
  for (let t = Math.ceil(t0 / step) * step; t <= t0 + span; t += step) {
    grid.append(svg('line', { x1: x(t), x2: x(t), y1: m.top + ht, y2: m.top + ht + 5, class: 'tickmark' }));
    grid.append(svg('text', { x: x(t), y: m.top + ht + 18, 'text-anchor': 'middle', class: 'tick' }, hhmm(t)));
  }
  root.append(grid);
  root.append(svg('line', { x1: m.left, x2: m.left + w, y1: m.top + ht, y2: m.top + ht, class: 'axis' }));
  root.append(svg('line', { x1: m.left, x2: m.left, y1: m.top, y2: m.top + ht, class: 'axis' }));
  root.append(svg('text', { x: m.left + w / 2, y: height - 6, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  root.append(svg('text', {
    x: -(m.top + ht / 2), y: 14, transform: 'rotate(-90)', 'text-anchor': 'middle', class: 'axis-label',
  }, yUnit));

  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    const area = `${d}L${x(pts[pts.length - 1][0]).toFixed(1)},${y(0)}L${x(pts[0][0]).toFixed(1)},${y(0)}Z`;
    root.append(svg('path', { d: area, fill: s.color, class: 'area' }));
    root.append(svg('path', { d, stroke: s.color, class: 'line', 'data-series': s.name }));
    for (const p of pts) {
      root.append(svg('circle', { cx: x(p[0]), cy: y(p[1]), r: 2.5, fill: s.color, class: 'dot' },
        svg('title', {}, `${hhmm(p[0])}  ${s.name}: ${fmtTick(p[1])} ${yUnit}`)));
    }
  }
  const legend = h('figcaption.legend', series.map(s =>
    h('span.legend-item', h('span.swatch', { style: `background:${s.color}` }), s.name)));
  return h('figure.chart-box', root, legend);
}

function fmtTick(v) {
  if (v >= 10000) return `${+(v / 1000).toFixed(1)}k`;
  if (v >= 1000) return v.toLocaleString('en');
  return String(+v.toFixed(2));
}

/**
 * A horizontal bar split into parts, with a legend-free tooltip on each part.
 * parts: [{name, value, cls}]
 */
export function stackedBar(parts, { label } = {}) {
  const total = parts.reduce((a, p) => a + p.value, 0);
  const bar = h('div.stack', { role: 'img', 'aria-label': label || 'distribution' });
  if (total === 0) bar.append(h('span.stack-empty'));
  for (const p of parts) {
    if (!p.value) continue;
    bar.append(h(`span.stack-part.${p.cls}`, { style: `flex-grow:${p.value}`, title: `${p.name}: ${p.value}` }));
  }
  return bar;
}
