'use strict';
// The side panels: engagement decisions and the audit trail.
// Uses app.js's state and helpers; loaded after it, called once the page has booted.

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
