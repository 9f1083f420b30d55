// Prediction jobs: score a stored dataset with a model version, follow the jobs, cancel, and
// open the result dataset.
import { api, enc } from '../api.js';
import { h, put, table, loading, errorBox, statusLine, link, num, when, field, select, stateBadge, busy } from '../ui.js';

const FINISHED = ['succeeded', 'failed', 'cancelled'];

export async function render(page, ctx) {
  const [models, datasets] = await Promise.all([
    api('/api/v1/models?limit=1000', { signal: ctx.signal }).then((r) => r.models),
    api('/api/v1/datasets?limit=1000', { signal: ctx.signal }).then((r) => r.datasets),
  ]);
  const list = h('div', {}, loading());
  put(page, h('h1', {}, 'Prediction jobs'), form(models, datasets, () => refresh()),
    h('section', { class: 'card', 'aria-labelledby': 'pj-list' }, h('h2', { id: 'pj-list' }, 'Jobs'), list));
  let timer = null;
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));
  async function refresh() {
    clearTimeout(timer);
    try {
      const jobs = (await api('/api/v1/prediction-jobs?limit=50', { signal: ctx.signal })).jobs;
      put(list, table([
        { title: 'Job', value: (j) => h('code', {}, j.id) },
        { title: 'Model', value: (j) => link('#/models/' + enc(j.model), `${j.modelVersion.name} v${j.modelVersion.version}`) },
        { title: 'Dataset', value: (j) => link('#/datasets/' + enc(j.dataset), j.dataset) },
        { title: 'State', value: (j) => stateBadge(j.state) },
        { title: 'Progress', value: (j) => h('progress', { max: j.progress.rows || 1, value: j.progress.rowsDone, 'aria-label': `${j.id}: ${j.progress.rowsDone} of ${j.progress.rows} rows` }) },
        { title: 'Rows', value: (j) => `${num(j.progress.rowsDone)}/${num(j.progress.rows)}`, num: true },
        { title: 'Result', value: (j) => (j.resultDataset ? link('#/datasets/' + enc(j.resultDataset), j.resultDataset) : j.error || '–') },
        { title: 'Created', value: (j) => when(j.createdAt) },
        { title: '', value: (j) => (FINISHED.includes(j.state) ? '' : cancelButton(j, refresh)) },
      ], jobs, { empty: 'No prediction jobs yet.' }));
      if (jobs.some((j) => !FINISHED.includes(j.state)) && !ctx.signal.aborted) timer = setTimeout(refresh, 1000);
    } catch (e) {
      if (e.name !== 'AbortError') put(list, errorBox(e));
    }
  }
  await refresh();
}

function cancelButton(job, refresh) {
  const button = h('button', { type: 'button', class: 'danger' }, 'Cancel');
  button.setAttribute('aria-label', 'Cancel ' + job.id);
  button.addEventListener('click', () => busy(button, null, async () => {
    await api(`/api/v1/prediction-jobs/${enc(job.id)}/cancel`, { method: 'POST' });
    await refresh();
  }).catch(() => refresh()));
  return button;
}

function form(models, datasets, submitted) {
  const model = select(models.map((m) => m.name), { id: 'pj-model' });
  const version = h('input', { id: 'pj-version', placeholder: 'number or alias; empty: production, else latest', autocomplete: 'off', size: 30 });
  const dataset = select(datasets.slice().reverse().map((d) => [d.id, `${d.name} (${d.id})`]), { id: 'pj-dataset' });
  const output = select(['labels', 'probabilities', 'both'], { id: 'pj-output' });
  const passThrough = h('input', { id: 'pj-pass', placeholder: 'columns to copy, comma-separated', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'primary', disabled: !models.length || !datasets.length }, 'Score dataset');
  const status = statusLine();
  const f = h('form', { class: 'card', 'aria-labelledby': 'pj-title' },
    h('h2', { id: 'pj-title' }, 'New prediction job'),
    models.length && datasets.length ? null : h('p', { class: 'notice' }, 'A prediction job needs a model and a dataset.'),
    h('div', { class: 'row' }, field('Model', model), field('Version or alias', version)),
    h('div', { class: 'row' }, field('Dataset', dataset), field('Output', output)),
    field('Pass-through columns', passThrough),
    h('div', { class: 'row' }, submit), status);
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, status, async () => {
      const body = { model: model.value, dataset: dataset.value, output: output.value };
      const v = version.value.trim();
      if (/^\d+$/.test(v)) body.version = Number(v);
      else if (v) body.alias = v;
      const pass = passThrough.value.split(',').map((s) => s.trim()).filter(Boolean);
      if (pass.length) body.passThrough = pass;
      const job = await api('/api/v1/prediction-jobs', { method: 'POST', json: body });
      status.set(`Queued ${job.id}.`);
      submitted();
    });
  });
  return f;
}
