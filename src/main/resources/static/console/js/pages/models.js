// Models: the registry's models, and one model's versions side by side with their metrics,
// learning curves, confusion matrix, lineage, tags and description, aliases and downloads.
import { api, download, enc } from '../api.js';
import { h, put, table, loading, errorBox, statusLine, link, num, bytes, when, field, select, busy, pairs, confirmAction } from '../ui.js';
import { lineChart, heatmap } from '../charts.js';

const METRICS = ['accuracy', 'f1', 'precision', 'recall', 'logLoss', 'rocAuc', 'r2', 'rmse', 'mae'];

/** Metrics of several runs side by side: entries [{label, metrics}]. */
export function metricsTable(entries) {
  const names = METRICS.filter((m) => entries.some((e) => e.metrics && e.metrics[m] !== undefined));
  if (!names.length) return h('p', { class: 'muted' }, 'No metrics.');
  return h('div', { class: 'scroll' }, h('table', { class: 'metrics' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), entries.map((e) => h('th', { scope: 'col', class: 'num' }, e.label)))),
    h('tbody', {}, names.map((m) => h('tr', {}, h('th', { scope: 'row' }, m),
      entries.map((e) => h('td', { class: 'num' }, e.metrics ? num(e.metrics[m], 4) : '–')))))));
}

export async function render(page, ctx) {
  const [name] = ctx.params;
  if (name) return renderModel(page, name, ctx);
  const models = (await api('/api/v1/models?limit=1000')).models;
  put(page, h('h1', {}, 'Models'), h('section', { class: 'card' }, table([
    { title: 'Model', value: (m) => link('#/models/' + enc(m.name), m.name) },
    { title: 'Latest version', value: (m) => m.latestVersion, num: true },
    { title: 'Aliases', value: (m) => Object.entries(m.aliases).map(([a, v]) => `${a} → v${v}`).join(', ') || '–' },
    { title: 'Tags', value: (m) => tagText(m.tags) },
    { title: 'Description', value: (m) => m.description || '–' },
    { title: 'Updated', value: (m) => when(m.updatedAt) },
  ], models, { empty: 'No models yet: train one.' })));
}

/** The training loss of the latest versions that ran epochs, one line each. */
function curvesOf(versions) {
  const series = versions.filter((v) => v.learningCurve && v.learningCurve.length).slice(-4)
    .map((v) => ({ name: 'v' + v.version, points: v.learningCurve.filter((e) => e.trainLoss != null).map((e) => [e.epoch, e.trainLoss]) }));
  if (!series.length) return null;
  return h('div', {}, h('h3', {}, 'Learning curves (training loss)'), lineChart(series, { title: 'Training loss by version' }));
}

function tagText(tags) {
  return Object.entries(tags || {}).map(([k, v]) => (v ? `${k}: ${v}` : k)).join(', ') || '–';
}

function tagsFromText(text) {
  const tags = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    if (i < 0) tags[part] = '';
    else tags[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return tags;
}

/** Description and tags editor (admin), PATCHed to path. */
function labelsEditor(prefix, labels, path, onSaved) {
  const description = h('input', { value: labels.description || '', size: 40 });
  const tags = h('input', { value: tagText(labels.tags).replace(/^–$/, ''), size: 40, placeholder: 'key: value, key2' });
  const status = statusLine();
  const save = h('button', { type: 'submit' }, 'Save');
  const form = h('form', { 'aria-label': prefix + ' description and tags' },
    h('div', { class: 'row' }, field('Description', description), field('Tags', tags), save), status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, status, async () => {
      const saved = await api(path, { method: 'PATCH', json: { description: description.value, tags: tagsFromText(tags.value) } });
      status.set('Saved.');
      onSaved && onSaved(saved);
    });
  });
  return form;
}

async function renderModel(page, name, ctx) {
  let [model, versions] = await Promise.all([
    api('/api/v1/models/' + enc(name), { signal: ctx.signal }),
    api(`/api/v1/models/${enc(name)}/versions`, { signal: ctx.signal }).then((r) => r.versions),
  ]);
  const aliasesOf = (v) => Object.entries(model.aliases).filter(([, n]) => n === v).map(([a]) => a);
  const aliasArea = h('div');
  const detail = h('div');
  const chooser = select(versions.slice().reverse().map((v) => [v.version, `v${v.version}` + (aliasesOf(v.version).length ? ` (${aliasesOf(v.version).join(', ')})` : '')]),
    { id: 'version-choice' });

  function showAliases() {
    const rows = Object.entries(model.aliases).map(([alias, version]) => ({ alias, version }));
    const parts = [table([
      { title: 'Alias', value: (r) => r.alias },
      { title: 'Version', value: (r) => 'v' + r.version, num: true },
    ], rows, { empty: 'No aliases.' })];
    if (ctx.can.admin) parts.push(aliasForm());
    put(aliasArea, parts);
  }

  function aliasForm() {
    const alias = h('input', { id: 'alias-name', value: 'production', required: true, pattern: '[a-z0-9][a-z0-9._\\-]{0,62}', autocomplete: 'off' });
    const version = select(versions.slice().reverse().map((v) => [v.version, 'v' + v.version]), { id: 'alias-version' });
    const status = statusLine();
    const move = h('button', { type: 'submit', class: 'primary', id: 'alias-move' }, 'Move alias');
    const form = h('form', { 'aria-label': 'Move an alias' },
      h('div', { class: 'row' }, field('Alias', alias), field('To version', version), move), status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const from = model.aliases[alias.value];
      const to = Number(version.value);
      const text = from === undefined
        ? `Create alias ${alias.value} on ${name} v${to}? Callers that use it will get v${to}.`
        : `Move alias ${alias.value} of ${name} from v${from} to v${to}? Callers that use it switch at once.`;
      if (!(await confirmAction(text, 'Move alias'))) return;
      busy(move, status, async () => {
        await api(`/api/v1/models/${enc(name)}/aliases/${enc(alias.value)}`, { method: 'PUT', json: { version: to } });
        model = await api('/api/v1/models/' + enc(name));
        showAliases();
        aliasArea.append(h('p', { role: 'status', id: 'alias-result' }, `Moved: ${alias.value} → v${to}.`));
      });
    });
    return form;
  }

  function showVersion() {
    const v = versions.find((x) => String(x.version) === chooser.value);
    if (!v) return put(detail, h('p', { class: 'muted' }, 'No versions.'));
    const lineage = v.lineage || {};
    const curve = v.learningCurve || [];
    const series = [{ name: 'training loss', points: curve.filter((e) => e.trainLoss != null).map((e) => [e.epoch, e.trainLoss]) }];
    if (curve.some((e) => e.validationLoss != null)) series.push({ name: 'validation loss', points: curve.filter((e) => e.validationLoss != null).map((e) => [e.epoch, e.validationLoss]) });
    const m = v.metrics || {};
    const status = statusLine();
    const dl = h('button', { type: 'button', id: 'download' }, `Download model file (${bytes(v.artifactSize)})`);
    dl.addEventListener('click', () => busy(dl, status, () => download(`/api/v1/models/${enc(name)}/versions/${v.version}/artifact`, `${name}-v${v.version}.maas`)));
    put(detail,
      h('div', { class: 'grid' },
        h('section', { class: 'card', 'aria-labelledby': 'lineage-title' },
          h('h3', { id: 'lineage-title' }, `v${v.version}: lineage`),
          pairs([
            ['Family', v.family], ['Task', v.task], ['Status', v.status],
            ['Dataset', lineage.datasetId ? (ctx.can.train ? link('#/datasets/' + enc(lineage.datasetId), lineage.datasetId) : lineage.datasetId) : '–'],
            ['Split', lineage.split], ['Seed', lineage.seed],
            ['Training job', lineage.trainingJobId ? (ctx.can.train ? link('#/training/' + enc(lineage.trainingJobId), lineage.trainingJobId) : lineage.trainingJobId) : '–'],
            ['SHA-256', v.artifactSha256 ? h('code', {}, v.artifactSha256.slice(0, 16) + '…') : null],
            ['Built with', v.provenance ? `maas ${v.provenance.maasVersion}, ND4J ${v.provenance.nd4jVersion}` : null],
            ['Created', when(v.createdAt)],
          ]),
          ctx.can.train ? h('div', { class: 'row' }, dl) : null, status,
          ctx.can.admin ? labelsEditor(`v${v.version}`, v, `/api/v1/models/${enc(name)}/versions/${v.version}`, (saved) => Object.assign(v, saved))
            : pairs([['Description', v.description], ['Tags', tagText(v.tags)]])),
        h('section', { class: 'card', 'aria-labelledby': 'vcurve-title' },
          h('h3', { id: 'vcurve-title' }, `v${v.version}: learning curve`),
          curve.length ? lineChart(series) : h('p', { class: 'muted' }, 'No epochs (an exact solver, or an import).')),
        m.confusionMatrix && m.labels ? h('section', { class: 'card', 'aria-labelledby': 'cm-title' },
          h('h3', { id: 'cm-title' }, `v${v.version}: confusion matrix (test rows)`), heatmap(m.confusionMatrix, m.labels)) : null));
  }
  chooser.addEventListener('change', showVersion);

  put(page,
    h('p', {}, link('#/models', '← All models')),
    h('h1', {}, `Model ${name}`),
    h('section', { class: 'card' },
      ctx.can.admin ? labelsEditor(name, model, '/api/v1/models/' + enc(name), (saved) => (model = saved))
        : pairs([['Description', model.description], ['Tags', tagText(model.tags)]]),
      ctx.can.predict ? h('p', {}, link('#/predict/' + enc(name), 'Predict with this model →')) : null),
    h('section', { class: 'card', 'aria-labelledby': 'aliases-title' }, h('h2', { id: 'aliases-title' }, 'Aliases'), aliasArea),
    h('section', { class: 'card', 'aria-labelledby': 'versions-title' }, h('h2', { id: 'versions-title' }, 'Versions side by side'),
      metricsTable(versions.map((v) => ({ label: `v${v.version}` + (aliasesOf(v.version).length ? ` (${aliasesOf(v.version).join(', ')})` : ''), metrics: v.metrics }))),
      curvesOf(versions),
      table([
        { title: 'Version', value: (v) => 'v' + v.version },
        { title: 'Family', value: (v) => v.family || '–' },
        { title: 'Spec', value: (v) => h('code', {}, JSON.stringify(v.spec || {})) },
        { title: 'Epochs', value: (v) => (v.learningCurve ? v.learningCurve.length : 0), num: true },
        { title: 'Size', value: (v) => bytes(v.artifactSize), num: true },
        { title: 'Created', value: (v) => when(v.createdAt) },
      ], versions)),
    h('section', { class: 'card', 'aria-labelledby': 'detail-title' },
      h('h2', { id: 'detail-title' }, 'Version details'), field('Version', chooser), detail));
  showAliases();
  showVersion();
}
