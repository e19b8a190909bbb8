'use strict';
// Security Roof live operations page: vanilla JavaScript served as-is (no build step).
// Each panel has its own functions; all state comes from the ops API (see src/securityroof/ops/api.py).

const TOKEN_KEY = 'securityroof.token';
const USER_KEY = 'securityroof.user';
const EARTH_RADIUS_M = 6371000;
const REPORT_WINDOW_S = 60;
const ELLIPSE_POINTS = 48;
const AUDIT_PAGE = 200;
const AUDIT_MAX_ROWS = 1000;
const AUDIT_POLL_MS = 5000; // only for the administrator, who has no event stream
// The exercise list is re-read this often, so an exercise started after login shows up
// (the event stream belongs to one exercise); it also keeps the director's clock in step.
const EXERCISE_POLL_MS = 3000;
const CLOCK_TICK_MS = 250; // the clock and the countdowns are redrawn this often
const CLOCK_COAST_MAX_S = 10; // the clock runs on this long (wall s) without news, then waits
const MIN_DECIDE_WALL_S = 10; // fewer wall seconds than this to decide: the page warns
const STALL_MS = 90000; // no bytes (not even a keep-alive) for this long: the stream is dead
const BACKOFF_MAX_MS = 30000;
const TRACK_COLOUR = '#111827';
const SELECTED_COLOUR = '#f59e0b';
const IMPACT_COLOUR = '#e4572e';
// Fixed party palette so every user sees the same colours; unknown parties get a stable extra one.
const PARTY_COLOURS = { usa: '#1f5fbf', russia: '#b8322a', poland: '#7b3fa0', romania: '#c08b00' };
const EXTRA_COLOURS = ['#168a8a', '#5d6d1e', '#a0467a', '#3b4cc0', '#8c564b', '#2b7a3d', '#d35400'];

const $ = (id) => document.getElementById(id);

// sessionStorage (not localStorage) so two browser contexts/tabs can be two parties.
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  user: parseJson(sessionStorage.getItem(USER_KEY)),
  gen: 0, // bumped whenever the exercise or session changes: late answers for an old one are dropped
  exercises: [], exerciseId: null, exercise: null,
  followNewest: true, // until the user picks an exercise by hand, the newest one is shown
  exercisePoll: null,
  simTime: null, simWall: 0, // last sim time from the server and when it arrived (performance.now)
  shownTime: null, // the clock as drawn: never steps back while the exercise runs
  selectedTrack: null, // the track picked on the map or on a decision card
  stream: null, retryTimer: null, connection: 'offline',
  versions: { picture: 0, proposals: 0 }, // counts of applied updates, to drop overtaken reads
  proposals: [],
  messages: new Map(), // proposal id -> last error shown on its card
  inFlight: new Set(), // proposal ids with a decision being sent
  auditSeqs: new Set(), lastSeq: 0,
};

const map = { map: null, layers: {}, sitesJson: '', tracks: new Map(), labels: new Map(), fitted: false, basemap: false };
const cardJson = new WeakMap(); // proposal card -> what it was rendered from, to skip needless redraws

// ---------------------------------------------------------------- helpers

function parseJson(text) { try { return JSON.parse(text); } catch { return null; } }

// Builds DOM nodes; text is always inserted as text (never HTML), so server strings are safe.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
  return node;
}

function swatch(party) {
  const span = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  span.style.backgroundColor = partyColour(party); // style property, not attribute: allowed under a strict CSP
  return span;
}

function partyColour(party) {
  if (!party) return '#6b7280';
  if (PARTY_COLOURS[party]) return PARTY_COLOURS[party];
  let hash = 0;
  for (const ch of String(party)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return EXTRA_COLOURS[hash % EXTRA_COLOURS.length];
}

// Writes only a changed text: the clock ticks four times a second.
function setText(node, text) { if (node.textContent !== text) node.textContent = text; }

function pad2(n) { return String(n).padStart(2, '0'); }

function formatT(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'T+--:--';
  const total = Math.floor(Math.abs(seconds));
  return `T${seconds < 0 ? '-' : '+'}${pad2(Math.floor(total / 60))}:${pad2(total % 60)}`;
}

function formatDuration(seconds) {
  const total = Math.max(0, Math.floor(seconds || 0));
  return `${Math.floor(total / 60)}:${pad2(total % 60)}`;
}

function km(metres) { return ((metres || 0) / 1000).toFixed(Math.abs(metres || 0) < 100000 ? 1 : 0); }

// First 8 hex digits, without an "sha256:"-style prefix.
function shortHash(hash) { return String(hash || '').replace(/^[a-z0-9-]+:/i, '').slice(0, 8); }

// ---------------------------------------------------------------- API access

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.name = 'ApiError'; this.status = status; }
}

// Failures already shown to the user (401 -> login form) or caused by us (abort) are not logged.
function reportError(err) {
  if (err && (err.name === 'AbortError' || (err instanceof ApiError && err.status === 401))) return;
  console.warn('Security Roof:', err);
}

async function errorDetail(resp) {
  try {
    const data = await resp.json();
    if (typeof data.detail === 'string') return data.detail;
    if (Array.isArray(data.detail)) return data.detail.map((d) => d.msg || JSON.stringify(d)).join('; ');
  } catch { /* not JSON: fall through */ }
  return `${resp.status} ${resp.statusText || 'error'}`;
}

// Every request carries the bearer token; any 401 ends the session and returns to the login form.
async function api(path, { method = 'GET', body, raw = false, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (auth && state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  if (!resp.ok) {
    const detail = await errorDetail(resp);
    if (resp.status === 401 && auth) sessionExpired(detail);
    throw new ApiError(resp.status, detail);
  }
  if (raw) return resp;
  return resp.status === 204 ? null : resp.json();
}

// ---------------------------------------------------------------- session (login / logout)

function showLogin(message) {
  document.body.dataset.view = 'login';
  $('app-view').hidden = true;
  $('session').hidden = true;
  $('login-view').hidden = false;
  $('login-error').hidden = !message;
  $('login-error').textContent = message || '';
  $('login-username').focus();
}

function showApp() {
  document.body.dataset.view = 'app';
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('session').hidden = false;
  const { username, party, role } = state.user;
  $('user-info').textContent = `${username} · ${party || 'no party'} · ${role}`;
  // Leaflet measures its container: it was hidden until now.
  requestAnimationFrame(() => map.map && map.map.invalidateSize());
}

async function onLogin(event) {
  event.preventDefault();
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  if (!username || !password) return showLogin('Enter your username and password.');
  $('login-submit').disabled = true;
  try {
    const data = await api('/api/login', { method: 'POST', body: { username, password }, auth: false });
    state.token = data.token;
    state.user = data.user;
    sessionStorage.setItem(TOKEN_KEY, data.token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(data.user));
    $('login-password').value = '';
    await startApp();
  } catch (err) {
    if (state.token === null) showLogin(err instanceof ApiError ? err.message : 'The server could not be reached.');
    reportError(err);
  } finally {
    $('login-submit').disabled = false;
  }
}

function clearSession() {
  stopStream();
  state.token = null;
  state.user = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  clearTimeout(state.exercisePoll);
  state.exerciseId = null;
  state.exercises = [];
  state.followNewest = true;
  resetExerciseView();
  setConnection('offline');
}

function sessionExpired(detail) {
  clearSession();
  showLogin(detail || 'Your session has ended: please log in again.');
}

function logout() {
  const token = state.token;
  clearSession();
  showLogin('');
  // Best effort: the local session is gone whatever the server answers.
  if (token) fetch('/api/logout', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
}

// ---------------------------------------------------------------- exercises

async function startApp() {
  showApp();
  if (typeof showDirector === 'function') showDirector();
  initMap();
  loadBasemap().catch(reportError);
  state.followNewest = true;
  await refreshExercises();
  pollExercises();
}

function exerciseLabel(ex) { return `${ex.name} (${ex.status})`; }

// The default exercise: the newest one not put away (ids grow with time).
function newestExercise(list) {
  const live = list.filter((ex) => ex.status !== 'archived');
  return (live.length ? live : list).reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a), list[0]);
}

// Re-reads the exercise list: new ones appear in the menu, the newest is shown unless the
// user picked one by hand, and the shown one's status and clock follow the server.
async function refreshExercises(selectId = null) {
  const list = await api('/api/exercises');
  const known = new Set(state.exercises.map((ex) => String(ex.id)));
  const appeared = list.some((ex) => !known.has(String(ex.id)));
  state.exercises = list;
  const select = $('exercise-select');
  // Rebuilt only when something changed, so an open menu is not closed under the pointer.
  const labels = list.map((ex) => `${ex.id}:${exerciseLabel(ex)}`).join('\n');
  if (select.dataset.labels !== labels) {
    select.dataset.labels = labels;
    select.replaceChildren(...list.map((ex) => new Option(exerciseLabel(ex), ex.id)));
  }
  if (!list.length) { setConnection('offline', 'no exercise yet: waiting for the director'); return; }
  let id = selectId ?? state.exerciseId;
  if (selectId === null && (id === null || (state.followNewest && appeared))) id = newestExercise(list).id;
  select.value = String(id);
  if (String(id) !== state.exerciseId) { selectExercise(id); return; }
  const ex = list.find((e) => String(e.id) === String(id));
  if (ex) updateExercise(ex, { clock: true });
}

function pollExercises() {
  clearTimeout(state.exercisePoll);
  state.exercisePoll = setTimeout(() => {
    if (!state.token) return;
    refreshExercises().catch(reportError).finally(() => { if (state.token) pollExercises(); });
  }, EXERCISE_POLL_MS);
}

function selectExercise(id) {
  stopStream();
  resetExerciseView();
  state.exerciseId = String(id);
  const ex = state.exercises.find((e) => String(e.id) === state.exerciseId);
  if (ex) updateExercise(ex);
  const gen = state.gen;
  $('picture-export').hidden = !state.user.party;  // the administrator has no picture
  if (!state.user.party) { watchAuditOnly(gen); return; }
  loadSnapshot(gen);
  openStream(gen, { reconnect: false, failures: 0 });
}

// The administrator has no party: the server refuses it the picture, the proposals and the
// event stream, so only the audit trail is shown, re-read every few seconds.
function watchAuditOnly(gen) {
  $('proposals-empty').textContent = 'The administrator sees no sensor data or decisions.';
  setConnection('offline', 'audit only (administrator)');
  const poll = () => loadAudit(gen).catch(reportError).finally(() => {
    if (gen === state.gen) state.retryTimer = setTimeout(poll, AUDIT_POLL_MS);
  });
  poll();
}

// `clock`: take a later sim time in `ex` as news (the list may have been read before the
// last picture; simulated time never runs back).
function updateExercise(ex, { clock = false } = {}) {
  const i = state.exercises.findIndex((e) => String(e.id) === String(ex.id));
  if (i >= 0) state.exercises[i] = { ...state.exercises[i], ...ex };
  const option = [...$('exercise-select').options].find((o) => o.value === String(ex.id));
  if (option) option.textContent = exerciseLabel(ex);
  if (String(ex.id) !== state.exerciseId) return;
  state.exercise = ex;
  const badge = $('exercise-status');
  // Speed 0: the exercise director steps the clock by hand.
  const pace = ex.speed === 0 ? 'stepped by hand' : typeof ex.speed === 'number' && ex.speed !== 1 ? `×${ex.speed}` : '';
  badge.textContent = pace ? `${ex.status} · ${pace}` : ex.status;
  badge.dataset.status = ex.status;
  if (ex.status !== 'running') state.shownTime = null; // a stopped clock shows the server's time
  if (typeof updateDirectorButtons === 'function' && state.user && state.user.role === 'admin') updateDirectorButtons();
  if (typeof ex.sim_time_s === 'number' && (state.simTime === null || (clock && ex.sim_time_s > state.simTime))) {
    setSimTime(ex.sim_time_s);
  }
}

function setSimTime(seconds) {
  state.simTime = seconds;
  state.simWall = performance.now();
  tickClock();
}

// Simulated seconds per wall second now: 0 while paused, finished or stepped by hand.
function simRate() {
  const ex = state.exercise;
  return ex && ex.status === 'running' && typeof ex.speed === 'number' ? ex.speed : 0;
}

// Sim time between server updates: advances at the exercise speed while it runs, for
// at most CLOCK_COAST_MAX_S without news (then it waits for the server).
function simNow() {
  if (state.simTime === null) return null;
  const coast = Math.min((performance.now() - state.simWall) / 1000, CLOCK_COAST_MAX_S);
  return state.simTime + coast * simRate();
}

// The running clock: redrawn every CLOCK_TICK_MS; a server time a little behind the
// drawn one (it left the server a moment ago) does not step it back.
function tickClock() {
  let now = simNow();
  if (now !== null && simRate() > 0 && state.shownTime !== null) now = Math.max(now, state.shownTime);
  state.shownTime = now;
  setText($('sim-time'), formatT(now));
  tickCountdowns();
}

function resetExerciseView() {
  state.gen += 1;
  state.exercise = null;
  state.simTime = null;
  state.shownTime = null;
  state.selectedTrack = null;
  if (typeof updateDirectorButtons === 'function' && state.user && state.user.role === 'admin') updateDirectorButtons();
  $('sim-time').textContent = 'T+--:--';
  $('exercise-status').textContent = '';
  $('exercise-status').dataset.status = '';
  clearMapOverlays();
  state.proposals = [];
  state.messages.clear();
  $('proposals-empty').textContent = 'No engagement proposals.';
  renderProposals();
  state.auditSeqs.clear();
  state.lastSeq = 0;
  $('audit-list').replaceChildren();
  $('audit-tree-size').textContent = '0';
  $('audit-root-hash').textContent = '–';
  $('audit-error').hidden = true;
}

// One-off reads on (re)connection; afterwards only the event stream updates the page.
// A read that an event overtook (versions differ) is dropped, so older data never wins.
async function loadSnapshot(gen) {
  const base = `/api/exercises/${encodeURIComponent(state.exerciseId)}`;
  const seen = { ...state.versions };
  const fresh = (kind) => gen === state.gen && seen[kind] === state.versions[kind];
  const results = await Promise.allSettled([
    api(`${base}/picture`).then((p) => fresh('picture') && applyPicture(p)),
    api(`${base}/proposals`).then((list) => fresh('proposals') && applyProposals(list)),
    loadAudit(gen),
  ]);
  results.forEach((r) => r.status === 'rejected' && reportError(r.reason));
}

// ---------------------------------------------------------------- live updates (SSE over fetch)

function setConnection(name, text) {
  state.connection = name;
  $('connection').dataset.state = name;
  $('connection').textContent = text || name;
}

function stopStream() {
  state.gen += 1;
  if (state.stream) state.stream.abort();
  state.stream = null;
  clearTimeout(state.retryTimer);
}

// EventSource cannot send the Authorization header, so the stream is read with fetch.
async function openStream(gen, { reconnect, failures }) {
  if (gen !== state.gen) return;
  const controller = new AbortController();
  state.stream = controller;
  setConnection(reconnect ? 'reconnecting' : 'connecting', reconnect ? 'reconnecting' : 'connecting…');
  let stall = null;
  const alive = () => { clearTimeout(stall); stall = setTimeout(() => controller.abort(), STALL_MS); };
  let connected = false;
  try {
    alive();
    const resp = await fetch(`/api/exercises/${encodeURIComponent(state.exerciseId)}/events`, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${state.token}` }, signal: controller.signal, cache: 'no-store',
    });
    if (resp.status === 401) { sessionExpired(await errorDetail(resp)); return; }
    // Not allowed or no such exercise: retrying would not help.
    if (resp.status === 403 || resp.status === 404) { setConnection('offline', await errorDetail(resp)); return; }
    if (!resp.ok || !resp.body) throw new Error(`event stream: HTTP ${resp.status}`);
    connected = true;
    setConnection('live');
    if (reconnect) loadSnapshot(gen); // catch up on what happened while disconnected
    await readSse(resp.body, alive, (type, data) => gen === state.gen && onStreamEvent(type, data));
  } catch (err) {
    if (gen !== state.gen) return;
    reportError(err);
  } finally {
    clearTimeout(stall);
  }
  if (gen !== state.gen) return;
  const n = connected ? 0 : failures + 1;
  const delay = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** n) * (0.8 + Math.random() * 0.4);
  setConnection('reconnecting', `reconnecting in ${Math.round(delay / 1000)} s`);
  state.retryTimer = setTimeout(() => openStream(gen, { reconnect: true, failures: n }), delay);
}

// Parses the text/event-stream format: "field: value" lines, a blank line ends an event,
// lines starting with ":" are comments (keep-alives). Only "event" and "data" are used.
async function readSse(body, onBytes, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let type = '';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onBytes();
    buffer += value;
    // A trailing CR may be the first half of a CRLF split across chunks: keep it for later.
    const cut = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
    buffer = lines.pop() + buffer.slice(cut);
    for (const line of lines) {
      if (line === '') {
        if (data.length) dispatch(type || 'message', data.join('\n'));
        type = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
      }
    }
  }
}

// Events: picture, proposals and audit (new entries); logout when the token is revoked or expires.
function onStreamEvent(type, text) {
  let data;
  try { data = JSON.parse(text); } catch { console.warn(`Security Roof: ignoring a malformed "${type}" event`); return; }
  if (type === 'logout') sessionExpired('Your session has ended: please log in again.');
  else if (type === 'picture') applyPicture(data);
  else if (type === 'proposals') applyProposals(data);
  else if (type === 'audit') applyAudit(data);
}

// ---------------------------------------------------------------- start-up

function boot() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout-button').addEventListener('click', logout);
  $('exercise-select').addEventListener('change', (e) => { state.followNewest = false; selectExercise(e.target.value); });
  $('proposals-list').addEventListener('click', onProposalClick);
  $('audit-checkpoint').addEventListener('click', saveCheckpoint);
  $('picture-export').addEventListener('click', savePicture);
  setInterval(tickClock, CLOCK_TICK_MS);
  if (typeof L === 'undefined') $('map-missing').hidden = false;
  if (state.token && state.user) startApp().catch(reportError);
  else showLogin('');
}

// After every deferred script (map.js, panels.js, director.js) has run.
document.addEventListener('DOMContentLoaded', boot);
