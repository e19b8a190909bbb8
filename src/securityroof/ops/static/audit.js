'use strict';
// The audit trail panel: one row per log entry, newest first, each with the simulated
// time it happened at (the wall clock in the tooltip) and a one-line summary a reader
// understands without knowing the payload's fields.
// Uses app.js's state and helpers; loaded after it, called once the page has booted.

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
  entries.forEach((entry, i) => {
    state.auditSeqs.add(entry.seq);
    state.lastSeq = Math.max(state.lastSeq, entry.seq);
    // Rows are newest first: insert before the first older row (usually the top one).
    const older = [...body.rows].find((row) => Number(row.dataset.seq) < entry.seq);
    body.insertBefore(auditRow(entry, older, nextTimed(entries, i)), older || null);
  });
  while (body.rows.length > AUDIT_MAX_ROWS) body.deleteRow(-1);
  if (data.tree_size !== undefined) $('audit-tree-size').textContent = String(data.tree_size);
  if (data.root_hash) {
    $('audit-root-hash').textContent = `${shortHash(data.root_hash)}…`;
    $('audit-root-hash').title = data.root_hash;
  }
}

// One time base, simulated time: the time the payload gives, or, for an entry that gives
// none or that this party may not read, an estimate (marked "≈") from the wall clocks of
// the timed entries around it: simulated time runs evenly between two of them (pauses
// and resumptions are timed entries too). After the last timed entry, the page's own
// clock is the later one.
function auditRow(entry, older, next) {
  const withheld = entry.payload === null || entry.payload === undefined;
  const own = exerciseTime(entry);
  const wallMs = Date.parse(entry.recorded_at);
  const before = older ? { sim: Number(older.dataset.simTime), wallMs: Number(older.dataset.wallMs) } : { sim: 0, wallMs };
  const simTime = own ?? estimateSimTime(wallMs, before, next);
  const wall = formatWall(entry.recorded_at);
  const timeTip = own === null ? `${wall}; estimated from the wall clocks of the timed entries around it` : wall;
  const summary = withheld ? `Not readable by your party (payload hash ${shortHash(entry.payload_hash)}…)` : auditSummary(entry.kind, entry.payload);
  return el('tr', { 'data-seq': entry.seq, 'data-kind': entry.kind, 'data-sim-time': simTime, 'data-wall-ms': wallMs },
    el('td', {}, entry.seq),
    el('td', { class: 'sim-time', title: timeTip, 'data-role': 'sim-time' }, `${own === null ? '≈' : ''}${formatT(simTime)}`),
    el('td', {}, entry.kind),
    el('td', { class: withheld ? 'withheld' : null, title: withheld ? entry.payload_hash : JSON.stringify(entry.payload).slice(0, 2000) }, summary));
}

// The first entry after `i` in the batch that gives its time, else the page's clock now.
function nextTimed(entries, i) {
  for (const entry of entries.slice(i + 1)) {
    const sim = exerciseTime(entry);
    if (sim !== null) return { sim, wallMs: Date.parse(entry.recorded_at) };
  }
  const now = simNow();
  return now === null ? null : { sim: now, wallMs: Date.now() };
}

function estimateSimTime(wallMs, before, after) {
  if (!after || !(after.wallMs > before.wallMs) || !(after.sim >= before.sim) || !Number.isFinite(wallMs)) return before.sim;
  const share = Math.min(Math.max((wallMs - before.wallMs) / (after.wallMs - before.wallMs), 0), 1);
  return before.sim + share * (after.sim - before.sim);
}

// The simulated time an entry gives: its payload's time, or 0 for the exercise's start.
function exerciseTime({ kind, payload }) {
  if (kind === 'exercise-started') return 0;
  if (!payload || typeof payload !== 'object') return null;
  for (const key of ['time_s', 'at_s', 'created_at_s']) if (typeof payload[key] === 'number') return payload[key];
  return null;
}

function formatWall(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? `recorded ${value ?? '?'}` : `wall clock ${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const verbs = { approve: 'approved', refuse: 'refused' };

// A sentence per kind of entry; an unknown kind gets its fields as "name value" pairs.
const AUDIT_SUMMARIES = {
  reports: (p) => {
    const reports = p.reports || [];
    const sensors = new Set(reports.map((r) => String(r.sensor).split('/')[0]));
    return `${p.party} sensors: ${plural(reports.length, 'report')} from ${plural(sensors.size, 'site')}`;
  },
  tracks: (p) => {
    const tracks = (p.tracks || []).map((t) => `${t.id}${t.status === 'confirmed' ? '' : ` (${t.status})`}`);
    return `Fused picture of ${(p.picture_of || []).length > 2 ? `${p.picture_of.length} parties` : (p.picture_of || []).join(' and ')}: `
      + `${plural(tracks.length, 'track')}${tracks.length ? ` (${tracks.join(', ')})` : ''}`;
  },
  proposal: (p) => `Proposal ${p.id}: ${p.site} fires ${plural(p.shots, `${p.interceptor} shot`)} at ${p.track_id}, `
    + `window ${formatT(p.window_start_s)}–${formatT(p.window_end_s)}; ${(p.approvers || []).join(' and ')} decide by ${formatT(p.deadline_s)}`,
  decision: (p) => `${p.party} ${verbs[p.decision] || p.decision} proposal ${p.proposal}`
    + (p.by_default ? ' by default (no answer by the deadline)' : p.by ? ` (${p.by})` : ''),
  'proposal-closed': (p) => `Proposal ${p.proposal} ${p.status === 'moot' ? 'closed undecided (exercise ended)' : p.status}`,
  outcome: (p) => {
    const result = { intercepted: 'intercepted', missed: 'missed', moot: 'already destroyed', 'too-late': 'too late to intercept' }[p.result] || p.result;
    return `Proposal ${p.proposal}: ${p.track_id} ${result}${p.shots_fired ? `, ${plural(p.shots_fired, 'shot')} fired` : ''}`;
  },
  'exercise-started': (p) => `Exercise “${p.name}” started by ${p.by}, `
    + `${p.speed === 0 ? 'stepped by hand' : `×${p.speed}`}; seed committed (${shortHash(p.seed_commitment)}…)`,
  'exercise-paused': (p) => `Clock paused by ${p.by}`,
  'exercise-resumed': (p) => `Clock resumed by ${p.by}`,
  'exercise-finished': (p) => `Exercise ${p.by ? `ended by ${p.by}` : 'over: every threat has flown'}`
    + (p.seed ? '; seed and salt revealed' : ''),
  'exercise-archived': (p) => `Exercise archived by ${p.by}`,
  login: (p) => `${p.user} logged in${p.party ? ` (${p.party})` : ''}`,
  'refused-request': (p) => `Refused${p.count > 1 ? ` ${p.count} times` : ''}: ${p.user || p.address || 'someone'}`
    + `${p.action ? ` tried to ${p.action}` : ''} (${p.reason})`,
  account: (p) => `Account ${p.user} (${p.role}${p.party ? `, ${p.party}` : ''}) created${p.by ? ` by ${p.by}` : ''}`,
  party: (p) => `Party ${p.id} (${p.name}) added`,
};

function auditSummary(kind, payload) {
  if (!payload || typeof payload !== 'object') return String(payload);
  const known = AUDIT_SUMMARIES[kind];
  if (known) {
    try { return known(payload); } catch { /* an unexpected shape: the fields below */ }
  }
  const parts = Object.entries(payload).map(([key, value]) => `${key.replace(/_/g, ' ')} ${
    value !== null && typeof value === 'object' ? `(${Array.isArray(value) ? value.length : Object.keys(value).length})`
      : typeof value === 'number' ? +value.toFixed(3) : value}`);
  const text = parts.join('; ');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text || '(empty)';
}
