// Training: a form per family with presets, the job list, and a live job (progress, ETA and the
// learning curve drawn from the job's event stream), with cancel.
import { api, events, enc } from '../api.js';
import { h, put, table, loading, errorBox, statusLine, link, num, seconds, when, field, select, stateBadge, busy, pairs, confirmAction } from '../ui.js';
import { lineChart } from '../charts.js';
import { metricsTable } from './models.js';

const FAMILIES = ['mlp', 'logistic_regression', 'linear_regression', 'cnn', 'rnn'];

// Presets per family: a spec and training parameters a first run can start from.
const PRESETS = {
  mlp: {
    'Small: one layer of 16 (tables)': { spec: { hiddenLayers: [{ units: 16, activation: 'relu' }] }, training: { epochs: 300, batchSize: 8, learningRate: 0.01, validationFraction: 0.2 } },
    'Medium: 64 and 32 with dropout': { spec: { hiddenLayers: [{ units: 64, activation: 'relu', dropout: 0.1 }, { units: 32, activation: 'relu' }] }, training: { epochs: 200, batchSize: 32, learningRate: 0.005, validationFraction: 0.2 } },
    'Smooth: 32 tanh, early stopping': { spec: { hiddenLayers: [{ units: 32, activation: 'tanh' }] }, training: { epochs: 500, batchSize: 16, learningRate: 0.01, validationFraction: 0.2, earlyStopping: { patience: 20, restoreBestWeights: true } } },
  },
  logistic_regression: {
    'Exact (Newton)': { spec: { solver: 'newton' }, training: { validationFraction: 0 } },
    'Gradient descent': { spec: { solver: 'gradient_descent' }, training: { epochs: 200, learningRate: 0.05, validationFraction: 0.2 } },
  },
  linear_regression: {
    'Exact (least squares)': { spec: { solver: 'least_squares' }, training: { validationFraction: 0 } },
    'Gradient descent': { spec: { solver: 'gradient_descent' }, training: { epochs: 200, learningRate: 0.05, validationFraction: 0.2 } },
  },
  cnn: {
    'Small images (8 filters, 8×8 input)': { spec: { convLayers: [{ filters: 8, kernel: 3, padding: 'same', pool: { type: 'max', size: 2 } }], denseLayers: [{ units: 32 }] }, training: { epochs: 20, batchSize: 32, learningRate: 0.005, validationFraction: 0.1 }, inputShape: '1,8,8' },
  },
  rnn: {
    'LSTM, 32 units': { spec: { cell: 'lstm', units: 32, layers: 1 }, training: { epochs: 30, batchSize: 32, learningRate: 0.005, validationFraction: 0.1 }, inputShape: '12,1' },
    'GRU, 16 units': { spec: { cell: 'gru', units: 16, layers: 1 }, training: { epochs: 30, batchSize: 32, learningRate: 0.005, validationFraction: 0.1 }, inputShape: '12,1' },
  },
};

export async function render(page, ctx) {
  const [id] = ctx.params;
  if (id) return renderJob(page, id, ctx);
  const list = h('div', {}, loading());
  put(page, h('h1', {}, 'Training'),
    await form(),
    h('section', { class: 'card', 'aria-labelledby': 'jobs-title' }, h('h2', { id: 'jobs-title' }, 'Jobs'), list));
  await showJobs(list);
}

async function form() {
  const datasets = (await api('/api/v1/datasets?limit=1000')).datasets;
  const model = h('input', { name: 'model', required: true, pattern: '[a-z0-9][a-z0-9._\\-]{0,62}', placeholder: 'e.g. iris-mlp', autocomplete: 'off' });
  const family = select(FAMILIES, { name: 'family', value: 'mlp' });
  const preset = select([], { name: 'preset' });
  const dataset = select([['', datasets.length ? 'Choose a dataset' : 'No datasets: upload one first'],
    ...datasets.slice().reverse().map((d) => [d.id, `${d.name} (${d.id}, ${d.rows} rows)`])], { name: 'dataset', required: true });
  const target = select([], { name: 'target', required: true });
  const epochs = h('input', { name: 'epochs', type: 'number', min: 1, max: 100000 });
  const batchSize = h('input', { name: 'batchSize', type: 'number', min: 1 });
  const learningRate = h('input', { name: 'learningRate', type: 'number', step: 'any', min: 0 });
  const validationFraction = h('input', { name: 'validationFraction', type: 'number', step: 'any', min: 0, max: 0.9 });
  const inputShape = h('input', { name: 'inputShape', placeholder: 'cnn: 1,8,8; rnn: 12,1', autocomplete: 'off' });
  const alias = h('input', { name: 'alias', placeholder: 'optional, e.g. staging', autocomplete: 'off' });
  const spec = h('textarea', { name: 'spec', rows: 3, spellcheck: 'false' });
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Start training');
  let earlyStopping; // the preset's, sent as it is

  function presets() {
    put(preset, Object.keys(PRESETS[family.value]).map((name) => h('option', { value: name }, name)));
    applyPreset();
  }
  function applyPreset() {
    const p = PRESETS[family.value][preset.value];
    spec.value = JSON.stringify(p.spec);
    epochs.value = p.training.epochs ?? '';
    batchSize.value = p.training.batchSize ?? '';
    learningRate.value = p.training.learningRate ?? '';
    validationFraction.value = p.training.validationFraction ?? '';
    inputShape.value = p.inputShape ?? '';
    earlyStopping = p.training.earlyStopping;
  }
  function targets() {
    const d = datasets.find((x) => x.id === dataset.value);
    const columns = d ? d.columns.map((c) => c.name) : [];
    put(target, columns.map((c) => h('option', { value: c }, c)));
    if (columns.length) target.value = columns[columns.length - 1];
    if (d && !model.value) model.value = d.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-') + '-' + family.value.replace(/_/g, '-');
  }
  family.addEventListener('change', presets);
  preset.addEventListener('change', applyPreset);
  dataset.addEventListener('change', targets);

  const form = h('form', { class: 'card', 'aria-labelledby': 'train-title', id: 'train-form' },
    h('h2', { id: 'train-title' }, 'New training job'),
    h('div', { class: 'row' }, field('Family', family), field('Preset', preset)),
    h('div', { class: 'row' }, field('Dataset', dataset), field('Target column', target)),
    field('Model name', model),
    h('div', { class: 'row' }, field('Epochs', epochs), field('Batch size', batchSize), field('Learning rate', learningRate), field('Validation fraction', validationFraction)),
    h('div', { class: 'row' }, field('Input shape', inputShape), field('Alias on success', alias)),
    field('Spec (JSON)', spec),
    h('div', { class: 'row' }, submit), status);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, status, async () => {
      let parsedSpec;
      try {
        parsedSpec = spec.value.trim() ? JSON.parse(spec.value) : undefined;
      } catch (err) {
        throw new Error('The spec is not valid JSON: ' + err.message);
      }
      const training = {};
      for (const [name, input] of [['epochs', epochs], ['batchSize', batchSize], ['learningRate', learningRate], ['validationFraction', validationFraction]]) {
        if (input.value !== '') training[name] = Number(input.value);
      }
      if (earlyStopping) training.earlyStopping = earlyStopping;
      const body = { model: model.value.trim(), family: family.value, dataset: dataset.value, target: target.value, spec: parsedSpec, training };
      if (inputShape.value.trim()) body.inputShape = inputShape.value.split(',').map((v) => Number(v.trim()));
      if (alias.value.trim()) body.alias = alias.value.trim();
      const job = await api('/api/v1/training-jobs', { method: 'POST', json: body });
      location.hash = '#/training/' + enc(job.id);
    });
  });
  presets();
  return form;
}

async function showJobs(container) {
  try {
    const page = await api('/api/v1/training-jobs?limit=50');
    put(container, table([
      { title: 'Job', value: (j) => link('#/training/' + enc(j.id), j.id) },
      { title: 'Model', value: (j) => j.model },
      { title: 'State', value: (j) => stateBadge(j.state) },
      { title: 'Epochs', value: (j) => (j.progress ? `${j.progress.epoch}/${j.progress.epochs}` : '–'), num: true },
      { title: 'Version', value: (j) => (j.modelVersion ? link(`#/models/${enc(j.modelVersion.name)}`, 'v' + j.modelVersion.version) : '–') },
      { title: 'Created', value: (j) => when(j.createdAt) },
    ], page.jobs, { empty: 'No training jobs yet.' }));
  } catch (e) {
    put(container, errorBox(e));
  }
}

const FINISHED = ['succeeded', 'failed', 'cancelled'];

async function renderJob(page, id, ctx) {
  let job = await api('/api/v1/training-jobs/' + enc(id), { signal: ctx.signal });
  const head = h('div');
  const progressArea = h('div');
  const curve = h('div', { id: 'job-curve' });
  const result = h('div');
  const status = statusLine();
  const cancel = h('button', { type: 'button', class: 'danger', id: 'job-cancel' }, 'Cancel job');
  cancel.addEventListener('click', async () => {
    if (!(await confirmAction(`Cancel training job ${id}?`, 'Cancel job'))) return;
    busy(cancel, status, async () => {
      job = await api(`/api/v1/training-jobs/${enc(id)}/cancel`, { method: 'POST' });
      show();
    });
  });
  put(page, h('p', {}, link('#/training', '← All training jobs')), h('h1', {}, `Training job ${id}`),
    h('section', { class: 'card' }, head, progressArea, h('div', { class: 'row' }, cancel), status),
    h('section', { class: 'card', 'aria-labelledby': 'curve-title' }, h('h2', { id: 'curve-title' }, 'Learning curve'), curve),
    result);

  function show() {
    const p = job.progress || {};
    put(head, pairs([
      ['State', h('span', { id: 'job-state' }, stateBadge(job.state))],
      ['Model', job.modelVersion ? link(`#/models/${enc(job.modelVersion.name)}`, `${job.modelVersion.name} v${job.modelVersion.version}`) : job.model],
      ['Created', when(job.createdAt)],
      ['Finished', job.finishedAt ? when(job.finishedAt) : null],
      ['Error', job.error ? h('span', { class: 'error' }, job.error) : null],
      ['Notes', job.notes && job.notes.length ? h('ul', {}, job.notes.map((n) => h('li', {}, n))) : null],
    ]));
    const running = !FINISHED.includes(job.state);
    put(progressArea,
      h('label', { for: 'job-progress' }, `Epoch ${p.epoch ?? 0} of ${p.epochs ?? '?'}` + (running && p.etaSeconds != null ? `, about ${seconds(p.etaSeconds)} left` : '')),
      h('progress', { id: 'job-progress', max: p.epochs || 1, value: job.state === 'succeeded' ? p.epochs || 1 : p.epoch || 0 }));
    cancel.hidden = !running || !ctx.can.train;
    const points = job.learningCurve || [];
    const series = [{ name: 'training loss', points: points.filter((e) => e.trainLoss != null).map((e) => [e.epoch, e.trainLoss]) }];
    if (points.some((e) => e.validationLoss != null)) {
      series.push({ name: 'validation loss', points: points.filter((e) => e.validationLoss != null).map((e) => [e.epoch, e.validationLoss]) });
    }
    put(curve, points.length ? lineChart(series) : h('p', { class: 'muted' }, job.state === 'queued' ? 'Waiting for a worker…' : 'No epochs yet (exact solvers run none).'));
    if (job.state === 'succeeded' && job.metrics) {
      put(result, h('section', { class: 'card', 'aria-labelledby': 'metrics-title' },
        h('h2', { id: 'metrics-title' }, 'Test metrics'), metricsTable([{ label: job.model, metrics: job.metrics }]),
        job.usage ? pairs([['Wall time', seconds(job.usage.wallSeconds)], ['CPU time', seconds(job.usage.cpuSeconds)]]) : null));
    }
  }
  show();
  if (FINISHED.includes(job.state)) return;
  try {
    await events(`/api/v1/training-jobs/${enc(id)}/events`, (name, data) => {
      if (name !== 'job') return;
      job = JSON.parse(data);
      show();
    }, ctx.signal);
    job = await api('/api/v1/training-jobs/' + enc(id), { signal: ctx.signal });
    show();
  } catch (e) {
    if (e.name !== 'AbortError') status.set(e);
  }
}
