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
const STALL_MS = 90000; // no bytes (not even a keep-alive) for this long: the stream is dead
const BACKOFF_MAX_MS = 30000;
const TRACK_COLOUR = '#111827';
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
  simTime: null, simWall: 0, // last sim time from the server and when it arrived (performance.now)
  stream: null, retryTimer: null, connection: 'offline',
  versions: { picture: 0, proposals: 0 }, // counts of applied updates, to drop overtaken reads
  proposals: [],
  messages: new Map(), // proposal id -> last error shown on its card
  inFlight: new Set(), // proposal ids with a decision being sent
  auditSeqs: new Set(), lastSeq: 0,
};

const map = { map: null, layers: {}, sitesJson: '', tracks: new Map(), fitted: false, basemap: false };
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
  state.exerciseId = null;
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
  const list = await api('/api/exercises');
  state.exercises = list;
  $('exercise-select').replaceChildren(...list.map((ex) => new Option(exerciseLabel(ex), ex.id)));
  if (!list.length) { setConnection('offline', 'no exercise'); return; }
  const pick = list.find((ex) => ex.status === 'running') || list[0];
  $('exercise-select').value = String(pick.id);
  selectExercise(pick.id);
}

function exerciseLabel(ex) { return `${ex.name} (${ex.status})`; }

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

function updateExercise(ex) {
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
  if (typeof ex.sim_time_s === 'number' && state.simTime === null) setSimTime(ex.sim_time_s);
}

function setSimTime(seconds) {
  state.simTime = seconds;
  state.simWall = performance.now();
  $('sim-time').textContent = formatT(seconds);
}

// Sim time between pictures, for countdowns: advances at the exercise speed while it runs.
function simNow() {
  if (state.simTime === null) return null;
  const ex = state.exercise;
  const rate = ex && ex.status === 'running' ? (typeof ex.speed === 'number' ? ex.speed : 1) : 0;
  return state.simTime + ((performance.now() - state.simWall) / 1000) * rate;
}

function resetExerciseView() {
  state.gen += 1;
  state.exercise = null;
  state.simTime = null;
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

// ---------------------------------------------------------------- map

function initMap() {
  if (map.map) return;
  if (typeof L === 'undefined') { $('map-missing').hidden = false; return; }
  map.map = L.map('map', { zoomSnap: 0.5, minZoom: 2, worldCopyJump: false }).setView([50, 15], 4);
  map.map.attributionControl.setPrefix('Leaflet'); // plain text: no external link on an offline page
  // Panes fix the drawing order whatever the order in which layers are created.
  const panes = { basemap: 350, coverage: 380, history: 410, impact: 420, reports: 430, tracks: 440 };
  for (const [name, z] of Object.entries(panes)) map.map.createPane(name).style.zIndex = z;
  for (const name of ['basemap', 'coverage', 'history', 'impact', 'reports', 'sites', 'tracks']) {
    map.layers[name] = L.layerGroup().addTo(map.map);
  }
  // Sites, tracks and impact areas always stay on; the rest can be hidden when the map is busy.
  L.control.layers(null, {
    'Sensor coverage': map.layers.coverage, 'Track history': map.layers.history, 'Raw reports (last 60 s)': map.layers.reports,
  }).addTo(map.map);
  L.control.scale({ imperial: false }).addTo(map.map);
}

// Offline base map (no tile layer: the page must work without internet).
async function loadBasemap() {
  if (!map.map || map.basemap) return;
  const geojson = await api('/api/basemap');
  L.geoJSON(geojson, {
    pane: 'basemap', interactive: false,
    style: (f) => (f.properties && f.properties.kind === 'coastline'
      ? { color: '#5f6773', weight: 1, fill: false, className: 'basemap-coastline' }
      : { color: '#aab1bc', weight: 0.8, fill: false, className: 'basemap-border' }),
  }).addTo(map.layers.basemap);
  map.basemap = true;
}

function clearMapOverlays() {
  map.fitted = false;
  map.sitesJson = '';
  map.tracks.clear();
  for (const [name, group] of Object.entries(map.layers)) if (name !== 'basemap') group.clearLayers();
}

// Test hooks: Leaflet layers take no data- attributes, so they go on the element (layer on the map).
function setAttrs(layer, attrs) {
  const node = layer.getElement();
  if (node) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
}

function drop(layer) {
  if (layer) for (const group of Object.values(map.layers)) group.removeLayer(layer);
}

function applyPicture(p) {
  if (!p || (p.exercise && String(p.exercise.id) !== state.exerciseId)) return;
  state.versions.picture += 1;
  if (p.exercise) updateExercise(p.exercise);
  setSimTime(p.sim_time_s);
  updateLegend(p);
  tickCountdowns();
  if (!map.map) return;
  drawSites(p.sites || []);
  drawTracks(p.tracks || []);
  drawReports(p.reports || [], p.sim_time_s);
  fitOnce(p.sites || []);
}

function fitOnce(sites) {
  if (map.fitted || !sites.length) return;
  const bounds = L.latLngBounds(sites.map((s) => [s.lat_deg, s.lon_deg]));
  map.map.fitBounds(bounds.pad(0.15), { maxZoom: 7, animate: false });
  map.fitted = true; // the user owns the view from now on
}

function siteIcon(site) {
  const icon = el('div', { class: 'site-icon' });
  icon.style.backgroundColor = partyColour(site.party);
  return L.divIcon({ className: 'site-marker', html: icon, iconSize: [14, 14], iconAnchor: [7, 7], popupAnchor: [0, -8] });
}

function sitePopup(s) {
  return el('div', { class: 'site-popup', 'data-site-id': s.id },
    el('h3', {}, s.name),
    el('div', {}, `${s.id} · ${s.party}${s.host && s.host !== s.party ? `, hosted by ${s.host}` : ''}`),
    el('strong', {}, 'Sensors'),
    el('ul', {}, (s.sensors || []).map((x) => el('li', {}, `${x.type} (${x.kind})`))),
    el('strong', {}, 'Interceptors'),
    el('ul', {}, (s.interceptors || []).map((x) => el('li', {}, `${x.type}: ${x.remaining} of ${x.count} left`))));
}

// Sites rarely change (interceptors spent): redrawn only then, reopening the popup that was open.
function drawSites(sites) {
  const json = JSON.stringify(sites);
  if (json === map.sitesJson) return;
  map.sitesJson = json;
  let openId = null;
  map.layers.sites.eachLayer((m) => { if (m.isPopupOpen()) openId = m.siteId; });
  map.layers.sites.clearLayers();
  map.layers.coverage.clearLayers();
  for (const s of sites) {
    const marker = L.marker([s.lat_deg, s.lon_deg], { icon: siteIcon(s), title: `${s.name} (${s.party})`, riseOnHover: true })
      .bindPopup(sitePopup(s)).addTo(map.layers.sites);
    marker.siteId = s.id;
    setAttrs(marker, { 'data-site-id': s.id, 'data-party': s.party });
    if (s.id === openId) marker.openPopup();
    for (const sensor of s.sensors || []) {
      if (!sensor.coverage || sensor.coverage.length < 3) continue;
      L.polygon(sensor.coverage, {
        pane: 'coverage', interactive: false, color: partyColour(s.party), weight: 1, opacity: 0.55,
        dashArray: '4 3', fillOpacity: 0.04, className: 'sensor-coverage',
      }).addTo(map.layers.coverage);
    }
  }
}

function trackLabel(t) {
  return `${t.id} · ${km(t.altitude_m)} km · ${((t.speed_m_s || 0) / 1000).toFixed(1)} km/s`;
}

// Tracks move every picture: their layers are kept by track id and updated in place,
// so hover tooltips do not flicker; tracks that disappear are removed.
function drawTracks(tracks) {
  const seen = new Set();
  for (const t of tracks) {
    const key = String(t.id);
    seen.add(key);
    if (!map.tracks.has(key)) {
      map.tracks.set(key, {
        marker: L.circleMarker([t.lat_deg, t.lon_deg], { pane: 'tracks', radius: 6, className: 'track-marker' })
          .bindTooltip('', { permanent: true, direction: 'right', offset: [8, 0], className: 'map-label' })
          .addTo(map.layers.tracks),
        history: L.polyline([], { pane: 'history', interactive: false, color: TRACK_COLOUR, weight: 1.5, opacity: 0.7, className: 'track-history' })
          .addTo(map.layers.history),
        ellipse: null,
        centre: null,
      });
    }
    updateTrack(map.tracks.get(key), t);
  }
  for (const [key, layers] of map.tracks) if (!seen.has(key)) { Object.values(layers).forEach(drop); map.tracks.delete(key); }
}

function updateTrack(layers, t) {
  const confirmed = t.status === 'confirmed';
  // Confirmed: filled with its history; tentative: hollow and dashed, no history yet.
  layers.marker.setLatLng([t.lat_deg, t.lon_deg]).setStyle({
    color: TRACK_COLOUR, weight: 2, fillColor: TRACK_COLOUR, fillOpacity: confirmed ? 0.9 : 0, dashArray: confirmed ? null : '3 2',
  });
  layers.marker.setTooltipContent(trackLabel(t));
  setAttrs(layers.marker, { 'data-track-id': t.id, 'data-status': t.status });
  layers.history.setLatLngs(confirmed ? t.history || [] : []);
  updateImpact(layers, t);
}

function updateImpact(layers, t) {
  const impact = t.impact;
  if (!impact) { drop(layers.ellipse); drop(layers.centre); layers.ellipse = layers.centre = null; return; }
  const tip = `${t.id}: impact in ${formatDuration(impact.time_to_impact_s)} (${formatT(state.simTime + impact.time_to_impact_s)})`;
  const centre = [impact.lat_deg, impact.lon_deg];
  if (!layers.ellipse) {
    layers.ellipse = L.polygon(ellipsePoints(impact), {
      pane: 'impact', color: IMPACT_COLOUR, weight: 1.5, fillColor: IMPACT_COLOUR, fillOpacity: 0.15, className: 'impact-ellipse',
    }).bindTooltip(tip, { sticky: true }).addTo(map.layers.impact);
    layers.centre = L.circleMarker(centre, {
      pane: 'impact', radius: 4, color: IMPACT_COLOUR, weight: 2, fillColor: '#ffffff', fillOpacity: 1, className: 'impact-centre',
    }).bindTooltip(tip).addTo(map.layers.impact);
  } else {
    layers.ellipse.setLatLngs(ellipsePoints(impact)).setTooltipContent(tip);
    layers.centre.setLatLng(centre).setTooltipContent(tip);
  }
  setAttrs(layers.ellipse, { 'data-track-id': t.id });
  setAttrs(layers.centre, { 'data-track-id': t.id });
}

// Impact ellipse on a local flat earth around its centre; orientation is the semi-major
// axis bearing, clockwise from north. Good to well under 1 % for ellipses of tens of km.
function ellipsePoints({ lat_deg, lon_deg, semi_major_m, semi_minor_m, orientation_deg }) {
  const theta = ((orientation_deg || 0) * Math.PI) / 180;
  const cosLat = Math.max(Math.cos((lat_deg * Math.PI) / 180), 1e-6);
  const points = [];
  for (let i = 0; i < ELLIPSE_POINTS; i += 1) {
    const t = (2 * Math.PI * i) / ELLIPSE_POINTS;
    const a = semi_major_m * Math.cos(t);
    const b = semi_minor_m * Math.sin(t);
    const north = a * Math.cos(theta) - b * Math.sin(theta);
    const east = a * Math.sin(theta) + b * Math.cos(theta);
    points.push([lat_deg + ((north / EARTH_RADIUS_M) * 180) / Math.PI, lon_deg + ((east / (EARTH_RADIUS_M * cosLat)) * 180) / Math.PI]);
  }
  return points;
}

// Raw reports change every picture and carry no popups: simply redrawn.
function drawReports(reports, simTime) {
  const group = map.layers.reports;
  group.clearLayers();
  for (const r of reports) {
    if (simTime - r.time_s > REPORT_WINDOW_S) continue;
    L.circleMarker([r.lat_deg, r.lon_deg], {
      pane: 'reports', radius: 2.5, stroke: false, fillColor: partyColour(r.party), fillOpacity: 0.85, className: 'report-dot',
    }).bindTooltip(`${r.sensor} (${r.party}) ${formatT(r.time_s)}, ${km(r.altitude_m)} km`).addTo(group);
  }
}

function updateLegend(p) {
  const parties = new Set((p.sites || []).map((s) => s.party));
  (p.reports || []).forEach((r) => parties.add(r.party));
  (p.tracks || []).forEach((t) => (t.parties || []).forEach((x) => parties.add(x)));
  if (state.user && state.user.party) parties.add(state.user.party);
  const list = [...parties].filter(Boolean).sort();
  const legend = $('legend');
  if (legend.dataset.parties === list.join(',')) return;
  legend.dataset.parties = list.join(',');
  legend.replaceChildren(...list.map((party) => el('li', { 'data-party': party }, swatch(party), party)));
}

// ---------------------------------------------------------------- pending decisions

const STATUS_ORDER = { pending: 0, approved: 1, refused: 2 };

function applyProposals(list) {
  if (!Array.isArray(list)) return;
  state.versions.proposals += 1;
  // Pending first, most urgent on top; decided ones after, newest first.
  state.proposals = [...list].sort((a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3)
    || (a.status === 'pending' ? a.deadline_s - b.deadline_s : b.created_at_s - a.created_at_s));
  renderProposals();
}

// Cards are rebuilt only when their proposal changed; keyboard focus is put back afterwards.
function renderProposals() {
  const box = $('proposals-list');
  $('proposals-empty').hidden = state.proposals.length > 0;
  const old = new Map([...box.children].map((card) => [card.dataset.proposalId, card]));
  const active = document.activeElement;
  const focusId = box.contains(active) ? active.closest('[data-proposal-id]').dataset.proposalId : null;
  const focusAction = focusId && active.dataset.action;
  box.replaceChildren(...state.proposals.map((p) => {
    const key = JSON.stringify([p, state.messages.get(p.id) || '', state.inFlight.has(p.id)]);
    const card = old.get(String(p.id));
    if (card && cardJson.get(card) === key) return card;
    const fresh = proposalCard(p);
    cardJson.set(fresh, key);
    return fresh;
  }));
  const card = focusId && box.querySelector(`[data-proposal-id="${CSS.escape(focusId)}"]`);
  if (card) (card.contains(active) ? active : card.querySelector(`[data-action="${focusAction}"]`) || card).focus();
  tickCountdowns();
}

function approvalText(r) {
  if (!r.decision) return 'awaiting decision';
  const verb = r.decision === 'approve' ? 'approved' : 'refused';
  const who = r.by_default ? ' by default' : r.by ? ` by ${r.by}` : '';
  return `${verb}${who}${typeof r.at_s === 'number' ? ` at ${formatT(r.at_s)}` : ''}`;
}

function proposalCard(p) {
  const pending = p.status === 'pending';
  const busy = state.inFlight.has(p.id);
  const message = state.messages.get(p.id);
  const titleId = `proposal-${p.id}-title`;
  const outcome = p.outcome;
  return el('article', { class: 'proposal', 'data-proposal-id': p.id, 'data-status': p.status, tabindex: '-1', 'aria-labelledby': titleId },
    el('h3', { id: titleId }, el('span', {}, `${p.site} → ${p.track_id}`),
      el('span', { class: 'badge', 'data-role': 'status', 'data-status': p.status }, p.status)),
    el('p', {}, `${p.interceptor}, window ${formatT(p.window_start_s)}–${formatT(p.window_end_s)}, `
      + `${p.shots} shot${p.shots === 1 ? '' : 's'}, deadline ${formatT(p.deadline_s)} `,
      pending ? el('span', { class: 'countdown', 'data-role': 'countdown', 'data-deadline': p.deadline_s }) : null),
    el('p', { class: 'owner' }, swatch(p.party), `${p.party} site${p.host && p.host !== p.party ? `, hosted by ${p.host}` : ''}`),
    el('ul', { 'data-role': 'approvals', 'aria-label': 'Required approvals' }, (p.required || []).map((r) => el('li',
      { 'data-party': r.party, 'data-decision': r.decision || 'pending' }, swatch(r.party), `${r.party}: ${approvalText(r)}`))),
    outcome ? el('p', { 'data-role': 'outcome', 'data-result': outcome.result },
      `${outcome.result === 'intercepted' ? 'Intercepted' : 'Missed'} at ${formatT(outcome.at_s)}, `
      + `${outcome.shots_fired} shot${outcome.shots_fired === 1 ? '' : 's'} fired`) : null,
    message ? el('p', { 'data-role': 'message', role: 'alert' }, message) : null,
    p.can_decide && pending ? el('div', { class: 'actions' },
      el('button', { type: 'button', 'data-action': 'approve', disabled: busy }, 'Approve'),
      el('button', { type: 'button', 'data-action': 'refuse', disabled: busy }, 'Refuse')) : null);
}

function tickCountdowns() {
  const now = simNow();
  for (const node of document.querySelectorAll('[data-role="countdown"]')) {
    const left = Number(node.dataset.deadline) - now;
    node.textContent = now === null ? '' : left > 0 ? `(in ${formatDuration(left)})` : '(deadline passed)';
  }
}

async function decide(id, decision) {
  state.inFlight.add(id);
  state.messages.delete(id);
  renderProposals();
  try {
    const result = await api(`/api/proposals/${encodeURIComponent(id)}/decision`, { method: 'POST', body: { decision } });
    // Use the answer if it is the updated proposal; otherwise the event stream brings it.
    if (result && String(result.id) === String(id) && Array.isArray(result.required)) {
      applyProposals(state.proposals.map((p) => (String(p.id) === String(id) ? { ...p, ...result } : p)));
    } else if (state.connection !== 'live') {
      applyProposals(await api(`/api/exercises/${encodeURIComponent(state.exerciseId)}/proposals`));
    }
  } catch (err) {
    if (!(err instanceof ApiError)) state.messages.set(id, 'The server could not be reached: the decision was not sent.');
    else if (err.status !== 401) state.messages.set(id, err.message);
    reportError(err);
  } finally {
    state.inFlight.delete(id);
    if (state.token) renderProposals();
  }
}

function onProposalClick(event) {
  const button = event.target.closest('button[data-action]');
  const card = button && button.closest('[data-proposal-id]');
  if (!card) return;
  const p = state.proposals.find((x) => String(x.id) === card.dataset.proposalId);
  if (p) decide(p.id, button.dataset.action);
}

// ---------------------------------------------------------------- audit trail

async function loadAudit(gen) {
  let after = state.lastSeq;
  for (;;) {
    const q = `exercise_id=${encodeURIComponent(state.exerciseId)}&after=${after}&limit=${AUDIT_PAGE}`;
    const data = await api(`/api/audit?${q}`);
    if (gen !== state.gen) return;
    applyAudit(data);
    const entries = data.entries || [];
    if (entries.length < AUDIT_PAGE) return;
    after = Math.max(after, ...entries.map((e) => e.seq)); // own cursor: events may have moved lastSeq on
  }
}

function applyAudit(data) {
  if (!data) return;
  const body = $('audit-list');
  const entries = (data.entries || []).filter((e) => !state.auditSeqs.has(e.seq)).sort((a, b) => a.seq - b.seq);
  for (const entry of entries) {
    state.auditSeqs.add(entry.seq);
    state.lastSeq = Math.max(state.lastSeq, entry.seq);
    // Rows are newest first: insert before the first older row (usually the top one).
    const older = [...body.rows].find((row) => Number(row.dataset.seq) < entry.seq);
    body.insertBefore(auditRow(entry), older || null);
  }
  while (body.rows.length > AUDIT_MAX_ROWS) body.deleteRow(-1);
  if (data.tree_size !== undefined) $('audit-tree-size').textContent = String(data.tree_size);
  if (data.root_hash) {
    $('audit-root-hash').textContent = `${shortHash(data.root_hash)}…`;
    $('audit-root-hash').title = data.root_hash;
  }
}

function auditRow(entry) {
  const withheld = entry.payload === null || entry.payload === undefined;
  const summary = withheld ? `(withheld: payload hash ${shortHash(entry.payload_hash)}…)` : summarise(entry.payload);
  return el('tr', { 'data-seq': entry.seq, 'data-kind': entry.kind },
    el('td', {}, entry.seq),
    el('td', {}, entry.kind),
    // Exercise time where the payload says it (and may be read); the wall clock otherwise.
    el('td', { title: `recorded ${entry.recorded_at ?? ''}` }, formatRecorded(exerciseTime(entry.payload) ?? entry.recorded_at)),
    el('td', { class: withheld ? 'withheld' : null, title: withheld ? entry.payload_hash : JSON.stringify(entry.payload).slice(0, 2000) }, summary));
}

// A short "key=value" line from the payload's scalar fields (nested objects are only counted).
function summarise(payload) {
  if (typeof payload !== 'object') return String(payload);
  const parts = [];
  for (const [key, value] of Object.entries(payload)) {
    if (value === null || typeof value !== 'object') parts.push(`${key}=${typeof value === 'number' ? +value.toFixed(3) : value}`);
    else parts.push(`${key}=[${Array.isArray(value) ? value.length : Object.keys(value).length}]`);
  }
  const text = parts.join(', ');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text || '{}';
}

function exerciseTime(payload) {
  if (!payload || typeof payload !== 'object') return null;
  for (const key of ['time_s', 'at_s']) if (typeof payload[key] === 'number') return payload[key];
  return null;
}

function formatRecorded(value) {
  if (typeof value === 'number' && value < 1e9) return formatT(value); // sim seconds, not a Unix time
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value ?? '') : `${date.toISOString().slice(11, 19)}Z`;
}

// A plain link cannot send the Authorization header: fetch, then save the blob.
async function download(path, filename, what) {
  $('audit-error').hidden = true;
  try {
    const blob = await (await api(path, { raw: true })).blob();
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      $('audit-error').textContent = `${what} not saved: ${err.message}`;
      $('audit-error').hidden = false;
    }
    reportError(err);
  }
}

function saveCheckpoint(event) {
  event.preventDefault();
  download('/api/audit/checkpoint', `securityroof-checkpoint-${$('audit-tree-size').textContent}.json`, 'Checkpoint');
}

function savePicture(event) {
  event.preventDefault();
  if (!state.exerciseId) return;
  const id = encodeURIComponent(state.exerciseId);
  download(`/api/exercises/${id}/picture.geojson`, `securityroof-exercise-${id}-picture.geojson`, 'Picture');
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
  $('exercise-select').addEventListener('change', (e) => selectExercise(e.target.value));
  $('proposals-list').addEventListener('click', onProposalClick);
  $('audit-checkpoint').addEventListener('click', saveCheckpoint);
  $('picture-export').addEventListener('click', savePicture);
  setInterval(tickCountdowns, 1000);
  if (typeof L === 'undefined') $('map-missing').hidden = false;
  if (state.token && state.user) startApp().catch(reportError);
  else showLogin('');
}

boot();
