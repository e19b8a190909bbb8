// The exercise director's controls, shown to the administrator only: start an
// exercise, pause or resume its clock, and step a hand-stepped one. Uses app.js's
// globals (state, api, $, selectExercise, updateExercise, setSimTime).
'use strict';

const DIRECTOR_STEP_S = 10;

function directorMessage(text, isError = false) {
  const out = $('director-message');
  out.textContent = text;
  out.classList.toggle('error', isError);
}

async function directorRefresh(selectId) {
  const list = await api('/api/exercises');
  state.exercises = list;
  $('exercise-select').replaceChildren(...list.map((ex) => new Option(exerciseLabel(ex), ex.id)));
  const id = selectId ?? state.exerciseId;
  if (id === null || id === undefined) return;
  $('exercise-select').value = String(id);
  if (String(id) !== state.exerciseId) selectExercise(id);
  const ex = list.find((e) => String(e.id) === String(id));
  if (ex) { updateExercise(ex); setSimTime(ex.sim_time_s); }
}

async function directorAct(label, action) {
  $('director').querySelectorAll('button').forEach((b) => { b.disabled = true; });
  try {
    directorMessage(await action());
  } catch (err) {
    directorMessage(`${label}: ${err.message}`, true);
    reportError(err);
  } finally {
    $('director').querySelectorAll('button').forEach((b) => { b.disabled = false; });
  }
}

function directorStart(event) {
  event.preventDefault();
  directorAct('Not started', async () => {
    const name = $('director-name').value.trim() || 'exercise';
    const speed = Number($('director-speed').value);
    // The physics of the whole scenario is flown first: this takes a second or two.
    directorMessage('starting…');
    const ex = await api('/api/exercises', { method: 'POST', body: { name, speed } });
    await directorRefresh(ex.id);
    return `exercise ${ex.id} started`;
  });
}

function directorControl(verb, body) {
  return () => directorAct(`Not done (${verb})`, async () => {
    if (!state.exerciseId) throw new Error('no exercise selected');
    const id = encodeURIComponent(state.exerciseId);
    const ex = await api(`/api/exercises/${id}/${verb}`, { method: 'POST', body });
    await directorRefresh(ex.id);
    return `${verb}: exercise ${ex.id} ${ex.status} at ${formatT(ex.sim_time_s)}`;
  });
}

function showDirector() {
  const isDirector = Boolean(state.user && state.user.role === 'admin');
  $('director').hidden = !isDirector;
}

document.addEventListener('DOMContentLoaded', () => {
  $('director').addEventListener('submit', directorStart);
  $('director-pause').addEventListener('click', directorControl('pause'));
  $('director-resume').addEventListener('click', directorControl('resume'));
  $('director-step').addEventListener('click', directorControl('advance', { seconds: DIRECTOR_STEP_S }));
});
