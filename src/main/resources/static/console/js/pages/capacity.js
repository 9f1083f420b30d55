// Capacity and cost: per version what it cost to train, what a million predictions cost, its
// p99 and the replicas a target rate needs; accuracy against cost per million predictions over
// all versions; comparisons' leaderboards with their Pareto front and recommendation; and the
// forecast of a larger training run.
import { api, enc } from '../api.js';
import { h, put, table, loading, errorBox, statusLine, num, money, figure, seconds, bytes, field, select, busy, pairs, link, stateBadge, when } from '../ui.js';
import { scatter, paretoChart } from '../charts.js';

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
  const comparisons = h('section', { class: 'card', 'aria-labelledby': 'cmp-title' },
    h('h2', { id: 'cmp-title' }, 'Comparisons'), loading());
  put(page, h('h1', {}, 'Capacity and cost'), targetForm, report, comparisons, forecastForm());
  await Promise.all([showReport(report, rps.value, p99.value, ctx), showComparisons(comparisons, ctx)]);
}

const wait = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** The comparisons, the newest first: a choice of one, and its leaderboard, front and pick. */
async function showComparisons(section, ctx) {
  const title = section.querySelector('h2');
  try {
    const list = (await api('/api/v1/comparisons?limit=50', { signal: ctx.signal })).comparisons;
    if (!list.length) {
      put(section, title, h('p', { class: 'muted' },
        'No comparison yet. POST /api/v1/comparisons trains candidates and ranks them here (README, "Comparisons").'));
      return;
    }
    const choice = select(list.map((c) => [c.id, `${c.id} · ${c.state} · ${when(c.createdAt)}`]), { id: 'cmp-choice' });
    const detail = h('div', { id: 'cmp-detail' });
    put(section, title, h('div', { class: 'row' }, field('Comparison', choice)), detail);
    let shown = 0;
    const show = async () => {
      const mine = ++shown;
      let c = list.find((x) => x.id === choice.value);
      showComparison(detail, c);
      // A running comparison fills its leaderboard as candidates finish: read it again.
      while (c.state === 'running' && mine === shown && !ctx.signal.aborted) {
        await wait(2000, ctx.signal);
        if (mine !== shown || ctx.signal.aborted) return;
        c = await api(`/api/v1/comparisons/${enc(c.id)}`, { signal: ctx.signal });
        if (mine === shown) showComparison(detail, c);
      }
    };
    choice.addEventListener('change', () => show().catch((e) => { if (e.name !== 'AbortError') put(detail, errorBox(e)); }));
    await show();
  } catch (e) {
    if (e.name !== 'AbortError') put(section, title, errorBox(e));
  }
}

function showComparison(area, c) {
  const cur = c.currency || 'USD';
  const metric = c.metric === 'r2' ? 'R²' : c.metric;
  const finished = c.candidates.filter((x) => typeof x.quality === 'number');
  // The leaderboard: best quality first; candidates without a quality after, in request order.
  const ranked = [...finished].sort((a, b) => b.quality - a.quality || a.index - b.index);
  const rank = new Map(ranked.map((x, i) => [x.index, i + 1]));
  const rows = [...ranked, ...c.candidates.filter((x) => typeof x.quality !== 'number')];
  const label = (x) => `#${x.index} ${x.family}`;
  const points = finished.filter((x) => x.costPerMillionPredictions).map((x) => ({
    x: x.costPerMillionPredictions.value, y: x.quality, label: label(x), front: x.pareto, recommended: x.recommended,
  }));
  const r = c.recommendation;
  const budget = Object.entries(c.budget || {}).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${num(v)}`).join(', ') || 'none';
  put(area,
    pairs([
      ['State', stateBadge(c.state)],
      ['Quality measure', `${metric} on the held-out rows (higher is better); tolerance ${num(c.tolerance)}`],
      ['Budget', budget],
      ['Spent', `${c.spent.jobs} job(s), ${money(c.spent.cost, cur)}, ${seconds(c.spent.wallSeconds)}`],
    ]),
    h('h3', { id: 'cmp-recommendation-title' }, 'Recommendation'),
    h('p', { id: 'cmp-recommendation', 'aria-labelledby': 'cmp-recommendation-title' },
      r ? [h('strong', {}, `#${r.index} ${r.model}`), ': ', r.reason]
        : (c.state === 'running' ? 'None yet: no candidate has finished.' : 'None: no candidate finished with a quality and a serving cost.')),
    h('h3', { id: 'cmp-leaderboard-title' }, 'Leaderboard'),
    h('div', { id: 'cmp-leaderboard' }, table([
      { title: 'Rank', value: (x) => (rank.has(x.index) ? String(rank.get(x.index)) : '–'), num: true },
      { title: 'Candidate', value: (x) => (x.version ? link('#/models/' + enc(x.model), `${label(x)} (${x.model} v${x.version})`) : `${label(x)} (${x.model})`) },
      { title: 'State', value: (x) => h('span', {}, stateBadge(x.state), x.error ? h('span', { class: 'muted' }, ' ' + x.error) : null) },
      { title: metric, value: (x) => (typeof x.quality === 'number' ? num(x.quality, 4) : '–'), num: true },
      { title: 'Cost to train', value: (x) => (typeof x.trainingCost === 'number' ? money(x.trainingCost, cur) : '–'), num: true },
      { title: 'Training time', value: (x) => (typeof x.trainingSeconds === 'number' ? seconds(x.trainingSeconds) : '–'), num: true },
      { title: 'Cost per million predictions', value: (x) => figure(x.costPerMillionPredictions, (v) => money(v, cur)), num: true },
      { title: 'p50', value: (x) => figure(x.p50Ms, (v) => num(v) + ' ms'), num: true },
      { title: 'p99', value: (x) => figure(x.p99Ms, (v) => num(v) + ' ms'), num: true },
      { title: 'Model size', value: (x) => (x.modelBytes ? bytes(x.modelBytes) : '–'), num: true },
      { title: 'Pareto front', value: (x) => (x.pareto ? 'yes' : '–') },
      { title: 'Recommended', value: (x) => (x.recommended ? 'yes' : '–') },
    ], rows, { caption: `Candidates by ${metric}, best first; ≈ marks an estimate`, empty: 'No candidate yet.' })),
    h('h3', { id: 'cmp-pareto-title' }, `${metric} against cost per million predictions`),
    h('div', { id: 'cmp-pareto' }, paretoChart(points, {
      xLabel: `${cur} per million predictions (log scale)`, yLabel: metric, title: 'Pareto front of the comparison',
    })),
    c.skipped && c.skipped.length ? [h('h3', {}, 'Skipped'), h('ul', {}, c.skipped.map((x) => h('li', {}, x)))] : null);
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
