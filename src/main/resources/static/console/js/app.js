// The console's shell: the key, the roles it has, the navigation and the hash router.
import { apiKey, probe } from './api.js';
import { put, loading, errorBox, h } from './ui.js';
import * as datasets from './pages/datasets.js';
import * as training from './pages/training.js';
import * as models from './pages/models.js';
import * as predict from './pages/predict.js';
import * as capacity from './pages/capacity.js';
import * as predictionJobs from './pages/prediction-jobs.js';

// route name -> [page module, role needed]
const ROUTES = {
  datasets: [datasets, 'train'],
  training: [training, 'train'],
  models: [models, 'predict'],
  predict: [predict, 'predict'],
  capacity: [capacity, 'admin'],
  'prediction-jobs': [predictionJobs, 'train'],
};

const can = { predict: false, train: false, admin: false };
let leave = null; // the current page's clean-up (closes event streams, timers)

/** Learns the key's roles from what the public API lets it read. */
async function learnRoles() {
  const [models, datasets, capacity] = await Promise.all([
    probe('/api/v1/models?limit=1'),
    probe('/api/v1/datasets?limit=1'),
    probe('/api/v1/capacity?limit=1'),
  ]);
  if ([models, datasets, capacity].includes(401)) return false;
  can.predict = models === 200;
  can.train = datasets === 200;
  can.admin = capacity === 200;
  return true;
}

function showSignedIn() {
  const roles = Object.keys(can).filter((r) => can[r]);
  document.getElementById('sign-in').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('session').hidden = false;
  document.getElementById('roles').textContent = 'Roles: ' + (roles.join(', ') || 'none');
  for (const a of document.querySelectorAll('#nav a')) {
    a.parentElement.hidden = !can[a.dataset.role];
  }
}

function showSignIn(message) {
  document.getElementById('sign-in').hidden = false;
  document.getElementById('nav').hidden = true;
  document.getElementById('session').hidden = true;
  put(document.getElementById('page'));
  document.getElementById('key-status').textContent = message || '';
  document.getElementById('key').focus();
}

async function signIn(key) {
  apiKey.set(key);
  const status = document.getElementById('key-status');
  status.textContent = 'Checking the key…';
  let ok;
  try {
    ok = await learnRoles();
  } catch (e) {
    apiKey.clear();
    status.textContent = 'The server could not be reached.';
    return;
  }
  if (!ok) {
    apiKey.clear();
    showSignIn('The server did not accept this key.');
    return;
  }
  status.textContent = '';
  showSignedIn();
  route();
}

function firstAllowed() {
  return Object.keys(ROUTES).find((name) => can[ROUTES[name][1]]);
}

async function route() {
  if (leave) {
    leave();
    leave = null;
  }
  if (document.getElementById('sign-in').hidden === false) return;
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = document.getElementById('page');
  if (!ROUTES[name]) {
    const first = firstAllowed();
    if (first) location.replace('#/' + first);
    else put(page, h('p', { class: 'notice' }, 'This key has no role the console knows.'));
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === '#/' + name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const [module, role] = ROUTES[name];
  if (!can[role]) {
    put(page, h('p', { class: 'error', role: 'alert' }, `This page needs the ${role} role, which this key does not have.`));
    return;
  }
  put(page, loading());
  const controller = new AbortController();
  leave = () => controller.abort();
  try {
    await module.render(page, { can, params: rest, signal: controller.signal });
  } catch (e) {
    if (e.name !== 'AbortError') put(page, errorBox(e));
  }
}

document.getElementById('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('key');
  signIn(input.value.trim());
  input.value = '';
});

document.getElementById('sign-out').addEventListener('click', () => {
  apiKey.clear();
  if (leave) leave();
  showSignIn('The key was forgotten.');
});

window.addEventListener('maas:unauthorized', () => {
  apiKey.clear();
  if (leave) leave();
  showSignIn('The server no longer accepts this key: enter it again, or another one.');
});

window.addEventListener('hashchange', () => {
  route();
  document.getElementById('main').focus({ preventScroll: true });
});

if (apiKey.get()) signIn(apiKey.get());
else showSignIn();
