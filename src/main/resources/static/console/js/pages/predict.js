// Predict: a form generated from the model's features (its preprocessing columns, or the
// feature names of its metadata), answered with the label and a bar chart of probabilities, or
// the value.
import { api, enc } from '../api.js';
import { h, put, loading, errorBox, statusLine, num, field, select, busy } from '../ui.js';
import { barChart } from '../charts.js';

export async function render(page, ctx) {
  const [initial] = ctx.params;
  const models = (await api('/api/v1/models?limit=1000', { signal: ctx.signal })).models;
  if (!models.length) {
    put(page, h('h1', {}, 'Predict'), h('p', { class: 'notice' }, 'No models yet: train one first.'));
    return;
  }
  const model = select(models.map((m) => m.name), { id: 'predict-model', value: initial || models[0].name });
  const version = select([], { id: 'predict-version' });
  const formArea = h('div', {}, loading());
  put(page, h('h1', {}, 'Predict'),
    h('section', { class: 'card' }, h('div', { class: 'row' }, field('Model', model), field('Version', version))),
    formArea);

  async function chooseModel() {
    const m = models.find((x) => x.name === model.value);
    const versions = (await api(`/api/v1/models/${enc(m.name)}/versions`)).versions;
    put(version,
      h('option', { value: '' }, 'default (production, else latest)'),
      Object.entries(m.aliases).map(([a, v]) => h('option', { value: 'alias:' + a }, `${a} (v${v})`)),
      versions.slice().reverse().map((v) => h('option', { value: String(v.version) }, 'v' + v.version)));
    await buildForm();
  }

  async function buildForm() {
    put(formArea, loading());
    try {
      const m = models.find((x) => x.name === model.value);
      const choice = version.value;
      let versionNumber;
      if (choice.startsWith('alias:')) versionNumber = m.aliases[choice.slice(6)];
      else if (choice) versionNumber = Number(choice);
      else versionNumber = m.aliases.production ?? m.latestVersion;
      const [v, meta] = await Promise.all([
        api(`/api/v1/models/${enc(m.name)}/versions/${versionNumber}`),
        api(`/v2/models/${enc(m.name)}/versions/${versionNumber}`),
      ]);
      const query = choice.startsWith('alias:') ? '?alias=' + enc(choice.slice(6)) : choice ? '?version=' + choice : '';
      put(formArea, predictForm(m.name, v, meta, query));
    } catch (e) {
      put(formArea, errorBox(e));
    }
  }

  model.addEventListener('change', () => chooseModel().catch((e) => put(formArea, errorBox(e))));
  version.addEventListener('change', buildForm);
  await chooseModel();
}

/** The inputs for one instance: [{name, control, read()}] or one values box. */
function inputsFor(v, meta) {
  const columns = v.preprocessing && v.preprocessing.columns;
  if (columns) {
    return columns.filter((c) => c.kind !== 'dropped').map((c) => {
      if (c.kind === 'category') {
        const control = select([['', '(missing)'], ...(c.levels || []).map((l) => [l, l])], { name: c.name });
        return { name: c.name, control, read: () => (control.value === '' ? null : control.value) };
      }
      const control = h('input', { name: c.name, type: 'number', step: 'any', placeholder: 'missing' });
      return { name: c.name, control, read: () => (control.value === '' ? null : Number(control.value)) };
    });
  }
  const features = meta.parameters && meta.parameters.features;
  const shape = (meta.inputs && meta.inputs[0] && meta.inputs[0].shape) || [];
  if (features && features.length <= 64 && shape.length === 2) {
    return features.map((name) => {
      const control = h('input', { name, type: 'number', step: 'any', required: true });
      return { name, control, read: () => Number(control.value) };
    });
  }
  return null;
}

function predictForm(name, v, meta, query) {
  const inputs = inputsFor(v, meta);
  const shape = (meta.inputs && meta.inputs[0] && meta.inputs[0].shape) || [];
  const values = h('textarea', { id: 'predict-values', rows: 4, required: true, placeholder: 'numbers separated by commas or spaces' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'predict-submit' }, 'Predict');
  const status = statusLine();
  const answer = h('div', { id: 'predict-answer', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'predict-form', 'aria-labelledby': 'predict-title' },
    h('h2', { id: 'predict-title' }, `${name} v${v.version}: ${v.family}, ${v.task}`),
    inputs
      ? h('div', { class: 'grid' }, inputs.map((i) => field(i.name, i.control)))
      : field(`Input values (${shape.slice(1).join(' × ')} in row-major order)`, values),
    v.preprocessing ? h('p', { class: 'muted' }, 'Leave a value empty to send it as missing; the model imputes it as it was trained to.') : null,
    h('div', { class: 'row' }, submit), status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, status, async () => {
      let instance;
      if (inputs) {
        instance = {};
        for (const i of inputs) instance[i.name] = i.read();
      } else {
        instance = values.value.split(/[\s,]+/).filter(Boolean).map(Number);
      }
      const r = await api(`/api/v1/models/${enc(name)}/predict${query}`, { method: 'POST', json: { instances: [instance] } });
      showAnswer(answer, r);
    });
  });
  return h('div', {}, form, h('section', { class: 'card', 'aria-labelledby': 'answer-title' }, h('h2', { id: 'answer-title' }, 'Answer'), answer));
}

function showAnswer(area, response) {
  const p = response.predictions[0];
  const by = h('p', { class: 'muted' }, `Answered by ${response.model} v${response.version}.`);
  if (p.label !== undefined) {
    const entries = Object.entries(p.probabilities || {}).sort((a, b) => b[1] - a[1]);
    put(area, h('p', { class: 'answer' }, 'Label: ', h('span', { id: 'predict-label' }, p.label)),
      entries.length ? barChart(entries, { title: 'Probability by class' }) : null, by);
  } else if (p.value !== undefined) {
    put(area, h('p', { class: 'answer' }, 'Value: ', h('span', { id: 'predict-value' }, num(p.value, 6))), by);
  } else {
    put(area, h('p', { class: 'answer' }, 'Values: ', h('span', { id: 'predict-value' }, (p.values || []).map((x) => num(x, 6)).join(', '))), by);
  }
}

