// Calls to maas' public REST API with the key from this tab's session storage.
const KEY = 'maas.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY) || '',
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

/** A refused or failed call: the HTTP status, the problem's text and its list of problems. */
export class ApiError extends Error {
  constructor(status, message, problems = []) {
    super(message);
    this.status = status;
    this.problems = problems;
  }
}

function authorization() {
  const key = apiKey.get();
  return key ? { Authorization: 'Bearer ' + key } : {};
}

function errorFrom(status, text) {
  let detail = '';
  let problems = [];
  try {
    const body = JSON.parse(text);
    detail = body.detail || body.error || body.title || '';
    problems = Array.isArray(body.problems) ? body.problems : [];
  } catch (e) {
    detail = text ? text.slice(0, 300) : '';
  }
  let message = detail || 'HTTP ' + status;
  if (status === 401) message = 'The server did not accept the API key: ' + message;
  if (status === 403) message = "This key's role may not do this: " + message;
  if (status === 429) message = 'Too many requests, try again shortly: ' + message;
  if (status === 0) message = 'The server could not be reached.';
  return new ApiError(status, message, problems.length > 1 ? problems : []);
}

/** A JSON call; resolves to the answer's JSON (null for 204), rejects with an ApiError. */
export async function api(path, { method = 'GET', json, body, headers = {}, signal } = {}) {
  const all = { ...authorization(), ...headers };
  if (json !== undefined) {
    all['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers: all, body, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw errorFrom(0, '');
  }
  if (!response.ok) {
    // a key that stopped working (removed from the server) sends the user back to sign in
    if (response.status === 401) window.dispatchEvent(new Event('maas:unauthorized'));
    throw errorFrom(response.status, await response.text());
  }
  if (response.status === 204) return null;
  return response.json();
}

/** The status a GET answers with this key, without failing on 4xx (to learn the key's roles). */
export async function probe(path) {
  const response = await fetch(path, { headers: authorization(), cache: 'no-store' });
  return response.status;
}

/**
 * Reads a server-sent event stream (EventSource cannot send the key) and calls onEvent(name, data)
 * for each event until the stream ends or signal aborts it.
 */
export async function events(path, onEvent, signal) {
  const response = await fetch(path, {
    headers: { ...authorization(), Accept: 'text/event-stream' },
    signal,
    cache: 'no-store',
  });
  if (!response.ok) throw errorFrom(response.status, await response.text());
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(name, data.join('\n'));
    }
  }
}

/** Uploads a file as the request body, reporting progress (0..1); resolves to the answer's JSON. */
export function upload(path, file, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(authorization())) request.setRequestHeader(name, value);
    request.setRequestHeader('Content-Type', contentType);
    request.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve(JSON.parse(request.responseText));
      } else {
        reject(errorFrom(request.status, request.responseText));
      }
    });
    request.addEventListener('error', () => reject(errorFrom(0, '')));
    request.send(file);
  });
}

/** Downloads a file that needs the key: fetched as a blob, then saved under fileName. */
export async function download(path, fileName) {
  const response = await fetch(path, { headers: authorization(), cache: 'no-store' });
  if (!response.ok) throw errorFrom(response.status, await response.text());
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Path segment encoding. */
export const enc = encodeURIComponent;
