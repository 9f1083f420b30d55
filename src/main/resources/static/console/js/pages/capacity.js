// Capacity and cost: per version what it cost to train, what a million predictions cost, its
// p99 and the replicas a target rate needs; accuracy against cost per million predictions over
// all versions; and the forecast of a larger training run.
import { api, enc } from '../api.js';
import { h, put, table, loading, errorBox, statusLine, num, money, figure, seconds, bytes, field, select, busy, pairs, link } from '../ui.js';
import { scatter } from '../charts.js';

export async function render(page, ctx) {
  const rps = h('input', { id: 'target-rps', type: 'number', min: 0, step: 'any', value: 100 });
  const p99 = h('input', { id: 'target-p99', type: 'number', min: 0.001, step: 'any', value: 50 });
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Show replicas');
  const report = h('div', {}, loading());
  const targetForm = h('form', { class: 'card', 'aria-labelledby': 'target-title' },
    h('h2', { id: 'target-title' }, 'Target'),
    h('div', { class: 'row' }, field('Requests per second', rps), field('p99 latency bound (ms)', p99), apply));
  targetForm.addEventListener('submit', (e) => {
    e.preventDefault();
    showReport(report, rps.value, p99.value, ctx);
  });
  put(page, h('h1', {}, 'Capacity and cost'), targetForm, report, forecastForm());
  await showReport(report, rps.value, p99.value, ctx);
}

/** A version's quality figure for the chart: accuracy for classifiers, R² for regressions. */
function quality(metrics) {
  if (!metrics) return null;
  if (typeof metrics.accuracy === 'number') return { name: 'accuracy', value: metrics.accuracy };
  if (typeof metrics.r2 === 'number') return { name: 'R²', value: metrics.r2 };
  return null;
}

async function showReport(area, rps, p99, ctx) {
  put(area, loading());
  try {
    const query = rps !== '' && p99 !== '' ? `&targetRps=${enc(rps)}&p99Ms=${enc(p99)}` : '';
    const report = await api(`/api/v1/capacity?limit=1000${query}`, { signal: ctx.signal });
    const names = [...new Set(report.models.map((m) => m.model))];
    const versions = {};
    await Promise.all(names.map(async (n) => {
      try {
        for (const v of (await api(`/api/v1/models/${enc(n)}/versions`, { signal: ctx.signal })).versions) versions[`${n}/${v.version}`] = v;
      } catch (e) {
        if (e.name === 'AbortError') throw e; // a model deleted meanwhile has no versions to show
      }
    }));
    const c = report.currency || 'USD';
    const rows = report.models.map((m) => ({ ...m, quality: quality((versions[`${m.model}/${m.version}`] || {}).metrics) }));
    const points = rows.filter((r) => r.quality && r.costPerMillionPredictions)
      .map((r) => ({ x: r.costPerMillionPredictions.value, y: r.quality.value, label: `${r.model} v${r.version}` }));
    const qualityName = [...new Set(rows.filter((r) => r.quality).map((r) => r.quality.name))].join(' / ') || 'accuracy';
    put(area,
      h('section', { class: 'card', 'aria-labelledby': 'per-version' },
        h('h2', { id: 'per-version' }, 'Per version'),
        h('p', { class: 'muted' }, `Prices: ${num(report.prices.cpuCoreHour)} ${c} per core-hour, ${num(report.prices.memoryGibHour)} per GiB-hour; a replica has ${report.replica.cores} cores. ≈ marks an estimate.`),
        table([
          { title: 'Model', value: (r) => link('#/models/' + enc(r.model), `${r.model} v${r.version}`) },
          { title: 'Family', value: (r) => r.family || '–' },
          { title: 'Quality', value: (r) => (r.quality ? `${r.quality.name} ${num(r.quality.value, 4)}` : '–') },
          { title: 'Cost to train', value: (r) => (r.training ? figure(r.training.cost, (v) => money(v, c)) : '–'), num: true },
          { title: 'Training time', value: (r) => (r.training ? figure(r.training.wallSeconds, seconds) : '–'), num: true },
          { title: 'Cost per million predictions', value: (r) => figure(r.costPerMillionPredictions, (v) => money(v, c)), num: true },
          { title: 'p99 latency', value: (r) => figure(r.latencyP99Ms, (v) => num(v) + ' ms'), num: true },
          { title: 'Requests', value: (r) => figure(r.requests), num: true },
          { title: 'Replicas needed', value: (r) => (r.replicas ? figure(r.replicas.needed) : '–'), num: true },
          { title: 'p99 at target', value: (r) => (r.replicas ? figure(r.replicas.p99Ms, (v) => num(v) + ' ms') : '–'), num: true },
          { title: 'Memory', value: (r) => figure(r.modelMemoryBytes, bytes), num: true },
        ], rows, { empty: 'No version has trained or served yet.' })),
      h('section', { class: 'card', 'aria-labelledby': 'investment' },
        h('h2', { id: 'investment' }, `${qualityName} against cost per million predictions`),
        scatter(points, { xLabel: `${c} per million predictions (log scale)`, yLabel: qualityName, title: 'Investment picture', logX: true }),
        points.length ? null : h('p', { class: 'muted' }, 'A version shows here once it has served predictions and has test metrics.')));
  } catch (e) {
    if (e.name !== 'AbortError') put(area, errorBox(e));
  }
}

function forecastForm() {
  const family = select(['mlp', 'logistic_regression', 'linear_regression', 'cnn', 'rnn'], { id: 'fc-family' });
  const rows = h('input', { id: 'fc-rows', type: 'number', min: 1, value: 100000, required: true });
  const epochs = h('input', { id: 'fc-epochs', type: 'number', min: 1, value: 50, required: true });
  const inputShape = h('input', { id: 'fc-shape', placeholder: 'e.g. 4 (optional)', autocomplete: 'off' });
  const spec = h('input', { id: 'fc-spec', placeholder: '{"hiddenLayers":[{"units":64}]} (optional)', autocomplete: 'off', size: 36 });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Forecast');
  const status = statusLine();
  const answer = h('div', { id: 'fc-answer' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'fc-title' },
    h('h2', { id: 'fc-title' }, 'Forecast a training run'),
    h('div', { class: 'row' }, field('Family', family), field('Training rows', rows), field('Epochs', epochs), field('Input shape', inputShape), field('Spec (JSON)', spec), submit),
    status, answer);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, status, async () => {
      const q = new URLSearchParams({ family: family.value, rows: rows.value, epochs: epochs.value });
      if (inputShape.value.trim()) q.set('inputShape', inputShape.value.trim());
      if (spec.value.trim()) q.set('spec', spec.value.trim());
      const f = await api('/api/v1/capacity/forecast?' + q);
      const c = f.currency || 'USD';
      put(answer, pairs([
        ['Wall time', h('span', {}, figure(f.wallSeconds, seconds),
          f.wallSecondsLow && f.wallSecondsHigh ? ` (${seconds(f.wallSecondsLow.value)} to ${seconds(f.wallSecondsHigh.value)})` : '')],
        ['CPU time', figure(f.cpuSeconds, seconds)],
        ['Cost', figure(f.cost, (v) => money(v, c))],
        ['Peak memory', figure(f.peakMemoryBytes, bytes)],
        ['FLOPs', figure(f.flops)],
        ['Method', f.method],
        ['How', f.note],
      ]));
    });
  });
  return form;
}
