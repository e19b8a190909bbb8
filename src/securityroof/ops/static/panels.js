'use strict';
// The decisions panel (one card per engagement proposal) and the downloads.
// The audit trail panel is in audit.js.
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
  updateCardLinks();
  tickCountdowns();
}

// Each card's link to its track: marked when that track is selected, and said when the
// track is not in this party's picture now (dropped, intercepted or not yet seen).
function updateCardLinks() {
  for (const card of $('proposals-list').children) {
    const id = card.dataset.trackId;
    const selected = id === state.selectedTrack;
    card.dataset.selected = String(selected);
    const link = card.querySelector('[data-role="track"]');
    link.setAttribute('aria-pressed', String(selected));
    const onMap = map.tracks.has(id);
    link.title = onMap ? `Show ${id} on the map` : `${id} is not on the map now`;
    card.querySelector('[data-role="track-state"]').textContent = onMap || card.dataset.status !== 'pending' ? '' : ' (not on the map now)';
  }
}

function approvalText(r) {
  if (!r.decision) return 'awaiting decision';
  const verb = r.decision === 'approve' ? 'approved' : 'refused';
  const who = r.by_default ? ' by default' : r.by ? ` by ${r.by}` : '';
  return `${verb}${who}${typeof r.at_s === 'number' ? ` at ${formatT(r.at_s)}` : ''}`;
}

const OUTCOME_TEXT = { intercepted: 'Intercepted', missed: 'Missed', moot: 'Already destroyed', 'too-late': 'Too late to intercept' };

function proposalCard(p) {
  const pending = p.status === 'pending';
  const busy = state.inFlight.has(p.id);
  const message = state.messages.get(p.id);
  const titleId = `proposal-${p.id}-title`;
  const outcome = p.outcome;
  const speed = state.exercise && typeof state.exercise.speed === 'number' ? state.exercise.speed : 0;
  // Wall seconds the commanders had to decide when it was proposed (the window may cut the deadline short).
  const toDecide = speed > 0 ? (p.deadline_s - p.created_at_s) / Math.max(speed, 1) : Infinity;
  return el('article', {
    class: 'proposal', 'data-proposal-id': p.id, 'data-track-id': p.track_id, 'data-status': p.status, tabindex: '-1', 'aria-labelledby': titleId,
  },
    el('h3', { id: titleId }, el('span', {}, `${p.site} → `,
      el('button', { type: 'button', class: 'track-link', 'data-role': 'track', 'aria-pressed': 'false' }, p.track_id),
      el('span', { class: 'track-state', 'data-role': 'track-state' })),
    el('span', { class: 'badge', 'data-role': 'status', 'data-status': p.status }, p.status)),
    el('p', {}, `${p.interceptor}, window ${formatT(p.window_start_s)}–${formatT(p.window_end_s)}, `
      + `${p.shots} shot${p.shots === 1 ? '' : 's'}, decide by ${formatT(p.deadline_s)} `,
      pending ? el('span', { class: 'countdown', 'data-role': 'countdown', 'data-deadline': p.deadline_s }) : null),
    // Kept after the decision too: it tells why a default may have stood.
    toDecide < MIN_DECIDE_WALL_S ? el('p', { class: 'short-deadline', 'data-role': 'short-deadline' },
      `Only ${Math.max(0, Math.round(toDecide))} s to decide at ×${speed}: the engagement window ends at ${formatT(p.window_end_s)}.`) : null,
    el('p', { class: 'owner' }, swatch(p.party), `${p.party} site${p.host && p.host !== p.party ? `, hosted by ${p.host}` : ''}`),
    el('ul', { 'data-role': 'approvals', 'aria-label': 'Required approvals' }, (p.required || []).map((r) => el('li',
      { 'data-party': r.party, 'data-decision': r.decision || 'pending' }, swatch(r.party), `${r.party}: ${approvalText(r)}`))),
    outcome ? el('p', { 'data-role': 'outcome', 'data-result': outcome.result },
      `${OUTCOME_TEXT[outcome.result] || outcome.result} at ${formatT(outcome.at_s)}, `
      + `${outcome.shots_fired} shot${outcome.shots_fired === 1 ? '' : 's'} fired`) : null,
    message ? el('p', { 'data-role': 'message', role: 'alert' }, message) : null,
    p.can_decide && pending ? el('div', { class: 'actions' },
      el('button', { type: 'button', 'data-action': 'approve', disabled: busy }, 'Approve'),
      el('button', { type: 'button', 'data-action': 'refuse', disabled: busy }, 'Refuse')) : null);
}

// Time left in wall seconds (the deadline counts in the commanders' own seconds); on a
// hand-stepped or paused exercise the simulated seconds left until the director steps on.
function tickCountdowns() {
  const now = state.shownTime ?? simNow();
  const rate = simRate();
  for (const node of document.querySelectorAll('[data-role="countdown"]')) {
    const left = Number(node.dataset.deadline) - now;
    if (now === null) setText(node, '');
    else if (left <= 0) setText(node, '(deadline passed)');
    else setText(node, rate > 0 ? `(${formatDuration(left / rate)} left)` : `(${formatDuration(left)} of simulated time left)`);
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

// Approve or Refuse decides; anywhere else on a card shows its track on the map.
function onProposalClick(event) {
  const card = event.target.closest('[data-proposal-id]');
  if (!card) return;
  const button = event.target.closest('button[data-action]');
  if (!button) { selectTrack(card.dataset.trackId, { from: 'card' }); return; }
  const p = state.proposals.find((x) => String(x.id) === card.dataset.proposalId);
  if (p) decide(p.id, button.dataset.action);
}

// ---------------------------------------------------------------- downloads

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
