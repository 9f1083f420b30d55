// Datasets: upload (file picker or drag and drop, with progress), the list, and one dataset's
// column summary, a preview of its rows and delete.
import { api, upload, enc } from '../api.js';
import { h, put, table, loading, errorBox, statusLine, link, num, bytes, when, confirmAction, busy, pairs } from '../ui.js';

const PAGE = 50;
const PREVIEW = 20;

export async function render(page, ctx) {
  const [id] = ctx.params;
  if (id) return renderOne(page, id);
  const list = h('div', {}, loading());
  put(page, h('h1', {}, 'Datasets'), uploadCard(), h('section', { class: 'card', 'aria-labelledby': 'ds-list' },
    h('h2', { id: 'ds-list' }, 'Stored datasets'), list));
  await showList(list, 0);
}

function contentType(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv') || name.endsWith('.txt')) return 'text/csv';
  if (name.endsWith('.json')) return 'application/json';
  return null;
}

function uploadCard() {
  const name = h('input', { id: 'ds-name', name: 'name', required: true, placeholder: 'e.g. iris', autocomplete: 'off' });
  const file = h('input', { id: 'ds-file', type: 'file', accept: '.csv,.json,.txt,text/csv,application/json' });
  const progress = h('progress', { id: 'ds-progress', max: 1, value: 0, 'aria-label': 'Upload progress', hidden: true });
  const status = statusLine();
  const zone = h('div', { class: 'drop', id: 'ds-drop' },
    h('p', {}, 'Drop a CSV or JSON file here, or choose one:'),
    h('label', { for: 'ds-file' }, 'File'), file);

  async function send(chosen) {
    const type = contentType(chosen);
    if (!type) {
      status.set(new Error(`${chosen.name}: choose a .csv or .json file.`));
      return;
    }
    if (!name.value.trim()) name.value = chosen.name.replace(/\.[^.]*$/, '').toLowerCase();
    progress.hidden = false;
    progress.value = 0;
    status.set(`Uploading ${chosen.name}…`);
    try {
      const dataset = await upload('/api/v1/datasets?name=' + enc(name.value.trim()), chosen, type, (f) => {
        progress.value = f;
      });
      status.set(h('span', {}, 'Stored ', link('#/datasets/' + enc(dataset.id), `${dataset.name} (${dataset.id})`),
        `: ${num(dataset.rows)} rows, ${dataset.columns.length} columns.`));
      name.value = ''; // the next file takes its own name
      const list = document.getElementById('ds-list-body');
      if (list) showList(list.parentElement, 0);
    } catch (e) {
      status.set(e);
    } finally {
      file.value = '';
    }
  }

  file.addEventListener('change', () => file.files.length && send(file.files[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files.length) send(e.dataTransfer.files[0]);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'ds-upload' },
    h('h2', { id: 'ds-upload' }, 'Upload'),
    h('label', { for: 'ds-name' }, 'Name'), name,
    zone, progress, status);
}

async function showList(container, offset) {
  put(container, loading());
  try {
    const page = await api(`/api/v1/datasets?offset=${offset}&limit=${PAGE}`);
    put(container,
      h('div', { id: 'ds-list-body' },
        table([
          { title: 'Name', value: (d) => link('#/datasets/' + enc(d.id), d.name) },
          { title: 'Id', value: (d) => h('code', {}, d.id) },
          { title: 'Rows', value: (d) => num(d.rows), num: true },
          { title: 'Columns', value: (d) => d.columns.length, num: true },
          { title: 'Size', value: (d) => bytes(d.sizeBytes), num: true },
          { title: 'From', value: (d) => (d.lineage ? 'prediction job ' + d.lineage.predictionJob : 'upload') },
          { title: 'Created', value: (d) => when(d.createdAt) },
        ], page.datasets, { empty: 'No datasets yet: upload one above.' })),
      pager(page, (o) => showList(container, o)));
  } catch (e) {
    put(container, errorBox(e));
  }
}

/** Previous/next buttons for a {offset, limit, total} page. */
export function pager(page, go) {
  if (page.total <= page.limit) return null;
  const from = page.offset + 1;
  const to = Math.min(page.offset + page.limit, page.total);
  return h('div', { class: 'row' },
    h('button', { type: 'button', disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, 'Previous'),
    h('span', {}, `${from}–${to} of ${page.total}`),
    h('button', { type: 'button', disabled: to >= page.total, onclick: () => go(page.offset + page.limit) }, 'Next'));
}

function summary(column) {
  const s = column.summary;
  if (!s) return '–';
  if (column.type === 'number') return `min ${num(s.min)}, mean ${num(s.mean)}, max ${num(s.max)}`;
  return `${s.distinct} distinct; ` + s.top.map((t) => `${t.value} (${t.count})`).join(', ');
}

async function renderOne(page, id) {
  const dataset = await api('/api/v1/datasets/' + enc(id));
  const rows = h('div', {}, loading());
  const status = statusLine();
  const remove = h('button', { type: 'button', class: 'danger', id: 'ds-delete' }, 'Delete dataset');
  remove.addEventListener('click', async () => {
    if (!(await confirmAction(`Delete dataset ${dataset.name} (${dataset.id})? This cannot be undone.`, 'Delete'))) return;
    await busy(remove, status, async () => {
      await api('/api/v1/datasets/' + enc(id), { method: 'DELETE' });
      location.hash = '#/datasets';
    });
  });
  const lineage = dataset.lineage;
  put(page,
    h('p', {}, link('#/datasets', '← All datasets')),
    h('h1', {}, `Dataset ${dataset.name}`),
    h('section', { class: 'card' },
      pairs([
        ['Id', h('code', {}, dataset.id)],
        ['Rows', num(dataset.rows)],
        ['Shape', dataset.shape.join(' × ')],
        ['Size', bytes(dataset.sizeBytes)],
        ['SHA-256', h('code', {}, dataset.sha256)],
        ['Created', when(dataset.createdAt)],
        ['Computed by', lineage ? h('span', {}, `prediction job ${lineage.predictionJob}: `,
          link(`#/models/${enc(lineage.model)}`, `${lineage.model} v${lineage.version}`), ' on ',
          link('#/datasets/' + enc(lineage.inputDataset), lineage.inputDataset)) : null],
      ]),
      h('div', { class: 'row' }, remove), status),
    h('section', { class: 'card', 'aria-labelledby': 'ds-columns' },
      h('h2', { id: 'ds-columns' }, 'Columns'),
      table([
        { title: 'Column', value: (c) => c.name },
        { title: 'Type', value: (c) => c.type },
        { title: 'Missing', value: (c) => (c.summary ? num(c.summary.missing) : '–'), num: true },
        { title: 'Summary', value: summary },
      ], dataset.columns)),
    h('section', { class: 'card', 'aria-labelledby': 'ds-rows' },
      h('h2', { id: 'ds-rows' }, 'Rows'), rows));
  await showRows(rows, id, 0);
}

async function showRows(container, id, offset) {
  put(container, loading());
  try {
    const page = await api(`/api/v1/datasets/${enc(id)}/rows?offset=${offset}&limit=${PREVIEW}`);
    put(container,
      h('div', { class: 'scroll' }, h('table', { id: 'ds-preview' },
        h('caption', {}, `Rows ${page.offset + 1} to ${page.offset + page.rows.length} of ${num(page.total)}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), page.columns.map((c, i) => h('th', { scope: 'col', class: page.rows.some((r) => typeof r[i] === 'number') ? 'num' : null }, c)))),
        h('tbody', {}, page.rows.map((r, i) => h('tr', {}, h('td', { class: 'num' }, page.offset + i + 1),
          r.map((v) => h('td', { class: typeof v === 'number' ? 'num' : null }, v === null ? '–' : String(v)))))))),
      pager(page, (o) => showRows(container, id, o)));
  } catch (e) {
    put(container, errorBox(e));
  }
}
