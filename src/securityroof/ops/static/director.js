// The exercise director's controls, shown to the administrator only: start an
// exercise, pause or resume its clock, step a hand-stepped one, end it and archive it.
// Uses app.js's globals (state, api, $, refreshExercises, formatT).
'use strict';

const DIRECTOR_STEP_S = 10;
const END_CONFIRM_MS = 5000; // End asks for a second press within this time
// Decision deadlines count in wall seconds (the server scales them by the speed), but an
// engagement window is simulated time: in the built-in exercise a proposal's window
// ends 5 to 13 simulated minutes after it is made. Faster than TYPICAL_WINDOW_S /
// MIN_DECIDE_WALL_S (app.js), the shortest windows leave a commander under MIN_DECIDE_WALL_S.
const TYPICAL_WINDOW_S = 300;

function directorMessage(text, isError = false) {
  const out = $('director-message');
  out.textContent = text;
  out.classList.toggle('error', isError);
}

// What the speed in the form means for the commanders, said before Start.
function showSpeedHint() {
  const speed = Number($('director-speed').value);
  const hint = $('director-speed-hint');
  let text = '';
  let warn = false;
  if (!Number.isFinite(speed) || speed < 0) {
    text = 'Give a speed of 0 or more.';
    warn = true;
  } else if (speed === 0) {
    text = 'Stepped by hand: deadlines run in simulated seconds, as you step.';
  } else if (speed <= 1) {
    text = 'Decision deadlines are the rules\' seconds.';
  } else {
    const windowWall = TYPICAL_WINDOW_S / speed;
    warn = windowWall < MIN_DECIDE_WALL_S;
    text = `Decision deadlines count in wall seconds (a 30 s deadline is ${Math.round(30 * speed)} simulated s), `
      + `but a ${TYPICAL_WINDOW_S / 60}-minute engagement window passes in ${windowWall.toFixed(windowWall < 10 ? 1 : 0)} s`
      + (warn ? `: commanders may get under ${MIN_DECIDE_WALL_S} s to decide. Choose ×${TYPICAL_WINDOW_S / MIN_DECIDE_WALL_S} or slower.` : '.');
  }
  hint.textContent = text;
  hint.classList.toggle('warning', warn);
}

// Each control only where the selected exercise's status allows it.
function updateDirectorButtons() {
  const status = state.exercise ? state.exercise.status : null;
  const open = status === 'running' || status === 'paused';
  $('director-pause').disabled = status !== 'running';
  $('director-resume').disabled = status !== 'paused';
  $('director-step').disabled = !open;
  $('director-end').disabled = !open;
  $('director-archive').disabled = status !== 'finished';
  $('director-start').disabled = false;
}

async function directorAct(label, action) {
  $('director').querySelectorAll('button').forEach((b) => { b.disabled = true; });
  try {
    directorMessage(await action());
  } catch (err) {
    directorMessage(`${label}: ${err.message}`, true);
    reportError(err);
  } finally {
    updateDirectorButtons();
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
    await refreshExercises(ex.id);
    return `exercise ${ex.id} started`;
  });
}

function directorControl(verb, body) {
  return () => directorAct(`Not done (${verb})`, async () => {
    if (!state.exerciseId) throw new Error('no exercise selected');
    const id = encodeURIComponent(state.exerciseId);
    const ex = await api(`/api/exercises/${id}/${verb}`, { method: 'POST', body });
    await refreshExercises(ex.id);
    return `${verb}: exercise ${ex.id} ${ex.status} at ${formatT(ex.sim_time_s)}`;
  });
}

// Ending cannot be undone (pending decisions become moot): the first press only asks.
function directorEnd() {
  const button = $('director-end');
  if (button.dataset.armed !== 'true') {
    button.dataset.armed = 'true';
    button.textContent = 'Press again to end';
    directorMessage('Ending closes every pending decision and reveals the seed.');
    setTimeout(disarmEnd, END_CONFIRM_MS);
    return;
  }
  disarmEnd();
  directorControl('end')();
}

function disarmEnd() {
  const button = $('director-end');
  button.dataset.armed = 'false';
  button.textContent = 'End';
}

function showDirector() {
  const isDirector = Boolean(state.user && state.user.role === 'admin');
  $('director').hidden = !isDirector;
  if (isDirector) { showSpeedHint(); updateDirectorButtons(); }
}

document.addEventListener('DOMContentLoaded', () => {
  $('director').addEventListener('submit', directorStart);
  $('director-speed').addEventListener('input', showSpeedHint);
  $('director-pause').addEventListener('click', directorControl('pause'));
  $('director-resume').addEventListener('click', directorControl('resume'));
  $('director-step').addEventListener('click', directorControl('advance', { seconds: DIRECTOR_STEP_S }));
  $('director-end').addEventListener('click', directorEnd);
  $('director-archive').addEventListener('click', directorControl('archive'));
});
