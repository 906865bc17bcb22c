// The browser session player. The server sends the core's timeline (psoas.core.player
// .timeline.session_steps) in #player-data; this script only times and shows it, like the
// terminal player (psoas/cli/session.py) does around the core machine (machine.py):
//
// * Every step ends at a wall-clock end time: the previous end plus its own length. A tab
//   in the background or a phone that dimmed its screen catches up on its next tick, each
//   step finishing at its scheduled end; only a pause or a skip moves the schedule.
// * Each exercise is saved the moment it ends (POST /api/sessions/<id>/exercises) through
//   an outbox kept in localStorage, sent in order, retried when the network comes back.
//   The server keeps one save per exercise, so a resend is harmless.
// * Away (machine.py's away limit, the same rule): running, a gap of over 2 minutes since
//   the player last ran (a laptop asleep, a frozen tab, a reload after long) pauses the
//   session where it last ran, with "You were away"; nothing in the gap counts as done.
// * The state (step, its end time, paused) is kept in localStorage by session id, so a
//   reload resumes where it was; without it, the first exercise the server has not saved.
// * The screen stays on while the session runs: the Wake Lock API, or where a browser has
//   none (plain http:// off this device) or refuses it, a tiny muted video that loops.
// * ?speed=N runs the clock N times faster (tests, like the CLI's --fast).
// * A move break (psoas/web/breaks, data.kind "break") plays the same way but keeps no
//   sets and asks no pain at the end: it only posts how it ended.
"use strict";
(() => {
  const dataEl = document.getElementById("player-data");
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  const root = document.getElementById("player");
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const speed = Math.min(1000, Math.max(1, Number(params.get("speed")) || 1));
  const KEY = `psoas-player-${data.session_id}`;
  const OUTBOX = "psoas-outbox";
  const quick = data.kind === "break";
  const BREATH_S = 4; // readout.py: a slow breath in, then out
  // machine.py away_after(): 2 minutes of session time, at least 5 real seconds
  const AWAY_MS = Math.max(120000, 5000 * speed); // virtual ms

  const steps = data.steps;
  const exOf = []; // exercise index of each step
  const lastStep = []; // last step index of each exercise
  const firstStep = [];
  let n = -1;
  steps.forEach((s, i) => {
    if (s.kind === "get_ready") { n += 1; firstStep[n] = i; }
    exOf.push(n);
    lastStep[n] = i;
  });
  const bounds = [0];
  steps.forEach((s) => bounds.push(bounds[bounds.length - 1] + s.seconds));
  const total = bounds[bounds.length - 1];

  const now = () => Date.now() * speed; // virtual milliseconds

  // --- state ---------------------------------------------------------------------------
  const st = {
    state: "ready", // ready | running | paused | asking (end form) | finished
    index: 0,
    end: 0, // virtual ms when the current step ends (running)
    left: 0, // ms left in the current step (paused)
    sets: [], // finished sets of the current exercise
    results: [], // [{exercise_id, status}] of exercises ended
    how: null, // done | stopped_for_pain | quit
    painAfter: null,
    repsTold: 0,
    countdown: null,
    seen: 0, // virtual ms when the player last ran (running)
    away: false, // paused because the player did not run for longer than AWAY_MS
  };

  function persist() {
    const keep = {
      v: 1, state: st.state, index: st.index, end: st.end, left: st.left, sets: st.sets,
      results: st.results, how: st.how, painAfter: st.painAfter, speed, savedAt: Date.now(),
      seen: st.seen, away: st.away,
    };
    try { localStorage.setItem(KEY, JSON.stringify(keep)); } catch (e) { /* full or blocked */ }
  }

  function loadState() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  // --- outbox --------------------------------------------------------------------------
  function readOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }
  function writeOutbox(items) {
    try { localStorage.setItem(OUTBOX, JSON.stringify(items)); } catch (e) { /* ignore */ }
  }
  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function enqueue(url, body, key) {
    const items = readOutbox();
    if (!items.some((it) => it.key === key)) items.push({ url, body, key });
    writeOutbox(items);
    flush();
  }
  let flushing = false;
  let retryTimer = null;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const items = readOutbox();
        if (!items.length) break;
        const item = items[0];
        let response;
        try {
          response = await fetch(item.url, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
            body: JSON.stringify(item.body),
            credentials: "same-origin",
          });
        } catch (e) {
          break; // offline: keep it, try again later
        }
        if (response.status >= 500 || response.status === 408 || response.status === 429) break;
        if (!response.ok) console.warn("psoas: the server refused a save", item.key, response.status);
        writeOutbox(readOutbox().filter((it) => it.key !== item.key));
      }
    } finally {
      flushing = false;
      showNet();
      if (readOutbox().length && !retryTimer) {
        retryTimer = setTimeout(() => { retryTimer = null; flush(); }, 5000);
      }
    }
  }
  function pendingHere() {
    return readOutbox().filter((it) => it.url.startsWith(data.api + "/"));
  }
  function showNet() {
    const waiting = pendingHere().length;
    const net = $("p-net");
    if (!waiting) net.textContent = "All saved";
    else if (!navigator.onLine) net.textContent = `Offline: ${waiting} to send later`;
    else net.textContent = "Saving…";
    root.dataset.outbox = String(waiting);
    if (st.state === "finished") $("p-summary-offline").hidden = waiting === 0;
  }
  window.addEventListener("online", () => { flush(); });
  window.addEventListener("offline", showNet);

  // --- sound, speech, vibration, wake lock --------------------------------------------
  let audio = null;
  function unlockAudio() {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
    }
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }
  function beep(freq, ms) {
    if (!$("p-beeps").checked || !audio || audio.state !== "running") return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.25, audio.currentTime + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + ms / 1000);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + ms / 1000 + 0.02);
  }
  function say(text) {
    if (!$("p-voice").checked || !("speechSynthesis" in window) || speed > 4) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* no voice */ }
  }
  root.addEventListener("psoas:say", (e) => { announce(e.detail); say(e.detail); }); // the camera coach's cues (coach.js)
  function buzz() {
    if (navigator.vibrate) { try { navigator.vibrate(200); } catch (e) { /* not allowed */ } }
  }
  let lock = null;
  let video = null;
  function awakeVideo(on) { // a phone keeps its screen on while a video plays on it
    if (on && !video) {
      video = document.createElement("video");
      video.id = "p-awake";
      video.className = "player__awake"; // the whole window, unseen: Chromium holds the
      video.muted = true; //                screen only for a muted video that is big
      video.loop = true;
      video.playsInline = true;
      video.setAttribute("playsinline", "");
      video.setAttribute("aria-hidden", "true");
      video.disablePictureInPicture = true;
      [["awakeWebm", "video/webm"], ["awakeMp4", "video/mp4"]].forEach(([key, type]) => {
        const source = document.createElement("source");
        source.src = root.dataset[key];
        source.type = type;
        video.append(source);
      });
      root.append(video);
    }
    if (!video) return;
    if (on) video.play().catch(() => {});
    else video.pause();
  }
  async function keepAwake(on) {
    if (!on) {
      awakeVideo(false);
      const held = lock;
      lock = null;
      if (held) held.release().catch(() => {});
      return;
    }
    if (lock || document.visibilityState !== "visible") return;
    if ("wakeLock" in navigator) {
      try {
        const got = await navigator.wakeLock.request("screen");
        if (st.state !== "running") { got.release().catch(() => {}); return; }
        lock = got;
        lock.addEventListener("release", () => { if (lock === got) lock = null; });
        awakeVideo(false);
        return;
      } catch (e) { /* refused: the page is hidden, a setting, a low battery */ }
    }
    awakeVideo(true);
  }
  let lastSaid = "";
  function announce(text) { // polite: step changes, pauses and saves, never every second
    if (text === lastSaid) return;
    lastSaid = text;
    $("p-live").textContent = text;
  }

  // --- words ---------------------------------------------------------------------------
  const KIND = { get_ready: "Get ready", hold: "Hold", reps: "Reps", switch_side: "Switch sides", rest: "Rest" };
  const exercise = (i) => data.exercises[exOf[i]];
  const plural = (k, w) => `${k} ${w}${k === 1 ? "" : "s"}`;
  function sideWords(step) {
    return step.side === "left" || step.side === "right" ? `${step.side} side` : "";
  }
  function stepTitle(step) {
    let what = KIND[step.kind];
    if (step.kind === "switch_side") return `${what}: ${step.side} side next`;
    const side = sideWords(step);
    if (side) what += `, ${side}`;
    if (step.kind === "hold" || step.kind === "reps") {
      const sets = Math.max(...steps.filter((s) => s.exercise_id === step.exercise_id).map((s) => s.set_number), 1);
      what += ` · set ${Math.max(step.set_number, 1)} of ${sets}`;
    }
    return what;
  }
  function spoken(i) {
    const step = steps[i];
    const name = exercise(i).name;
    const side = sideWords(step) ? `, ${sideWords(step)}` : "";
    switch (step.kind) {
      case "get_ready": return `${name}. Get ready.`;
      case "hold": return `Hold${side}. ${plural(Math.round(step.seconds), "second")}. Breathe slowly.`;
      case "reps": return `${plural(step.reps, "rep")}${side}. Go.`;
      case "switch_side": return `Switch sides. ${step.side[0].toUpperCase()}${step.side.slice(1)} side next.`;
      default: return `Rest. ${plural(Math.round(step.seconds), "second")}.`;
    }
  }
  function cueAt(step, elapsed, ex) { // readout.py cue(), plus the exercise's breathing for reps
    if (step.kind === "hold") return Math.floor(elapsed / BREATH_S) % 2 === 0 ? "Breathe in" : "Breathe out";
    if (step.kind === "switch_side") return `Switch sides. ${step.side[0].toUpperCase()}${step.side.slice(1)} side next.`;
    if (step.kind === "reps") return ex.breathing;
    return "";
  }
  function clockText(seconds) {
    const s = Math.max(0, Math.ceil(seconds - 1e-9));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  // --- the machine (machine.py, in the browser) ---------------------------------------
  function elapsed() {
    const step = steps[st.index];
    if (!step) return 0;
    if (st.state === "running") return Math.min(step.seconds, Math.max(0, step.seconds - (st.end - now()) / 1000));
    if (st.state === "paused") return Math.min(step.seconds, Math.max(0, step.seconds - st.left / 1000));
    return 0;
  }

  function setRow(step, status, el, pain) {
    const done = status === "done";
    const row = { side: step.side, set_number: Math.max(step.set_number, 1), status, pain_during: pain };
    if (step.kind === "reps") {
      row.planned_reps = step.reps;
      row.reps_done = done ? step.reps : Math.min(step.reps, Math.floor(el / step.rep_seconds + 1e-9));
    } else {
      row.planned_hold_s = Math.round(step.seconds);
      row.hold_s_done = done ? step.seconds : Math.round(el * 10) / 10;
    }
    return row;
  }

  function finishStep(i, status, el, pain) {
    const step = steps[i];
    if (step.kind === "hold" || step.kind === "reps") st.sets.push(setRow(step, status, el, pain));
    const k = exOf[i];
    if (i === lastStep[k]) {
      const ex = data.exercises[k];
      const body = { exercise_id: ex.id, dose_week: ex.dose_week, sets: st.sets };
      st.sets = [];
      const worst = body.sets.find((s) => s.status !== "done");
      st.results.push({ exercise_id: ex.id, status: worst ? worst.status : "done" });
      if (!quick) enqueue(`${data.api}/exercises`, body, `${data.session_id}:${ex.id}`);
      if (!worst) announce(`${ex.name} done and saved.`);
    }
  }

  function enter(i, at, paused) {
    st.repsTold = 0;
    st.countdown = null;
    if (i >= steps.length) { over("done"); return; }
    st.index = i;
    if (paused) st.left = steps[i].seconds * 1000;
    else st.end = at + steps[i].seconds * 1000;
    changed(i);
  }

  function changed(i) { // a new step: draw its exercise, say it, beep and buzz
    drawExercise(exOf[i]);
    const text = spoken(i);
    announce(text);
    say(text);
    beep(880, 180);
    buzz();
    persist();
  }

  function tick() {
    if (st.state !== "running") return;
    const t = now();
    if (t - st.seen > AWAY_MS) { wentAway(); return; }
    st.seen = t;
    while (st.state === "running" && t >= st.end) {
      const i = st.index;
      tellReps(i, steps[i].reps || 0);
      finishStep(i, "done", steps[i].seconds, null);
      enter(i + 1, st.end, false);
    }
    if (st.state !== "running") return;
    const step = steps[st.index];
    const el = elapsed();
    if (step.kind === "reps") tellReps(st.index, Math.min(step.reps, Math.floor(el / step.rep_seconds + 1e-9)));
    const left = Math.ceil(step.seconds - el - 1e-9);
    if (left <= 3 && left >= 1 && st.countdown !== left) {
      st.countdown = left;
      beep(660, 90);
    }
    persist(); // when it last ran: a reload after long comes back away
    render();
  }

  function wentAway() { // machine.py _look: nobody saw the gap, so none of it counts
    st.left = Math.max(0, st.end - st.seen); // the step as it stood when the player last ran
    st.state = "paused";
    st.away = true;
    keepAwake(false);
    announce("You were away, so the session paused. Press Go on when you are ready.");
    persist();
    render();
  }

  function tellReps(i, done) {
    const step = steps[i];
    if (step.kind !== "reps" || done <= st.repsTold) return;
    st.repsTold = done;
    if (done < step.reps) { say(String(done)); beep(520, 60); }
  }

  function start() {
    unlockAudio();
    st.state = "running";
    st.seen = now();
    enter(st.index, st.seen, false);
    keepAwake(true);
    render();
  }

  function pause() {
    tick();
    if (st.state !== "running") return;
    st.left = Math.max(0, st.end - now());
    st.state = "paused";
    st.away = false;
    keepAwake(false);
    announce("Paused.");
    say("Paused.");
    persist();
    render();
  }

  function resume() {
    if (st.state !== "paused") return;
    unlockAudio();
    st.seen = now();
    st.end = st.seen + st.left;
    st.state = "running";
    st.away = false;
    keepAwake(true);
    announce("Going on.");
    persist();
    render();
  }

  function cut(status, pain) { // end the current exercise early; the step in progress keeps what was done
    const i = st.index;
    finishStep(i, status, elapsed(), pain);
    for (let j = i + 1; j <= lastStep[exOf[i]]; j += 1) finishStep(j, status, 0, pain);
  }

  function skip() {
    tick();
    if (st.state !== "running" && st.state !== "paused") return;
    const following = lastStep[exOf[st.index]] + 1;
    const paused = st.state === "paused";
    cut("skipped", null);
    enter(following, now(), paused);
    render();
  }

  function stopForPain(pain) {
    tick();
    if (st.state === "running" || st.state === "paused") cut("stopped_for_pain", pain);
    else if (st.state !== "ready") return;
    st.how = "stopped_for_pain";
    finishSession(pain);
  }

  function quit() {
    tick();
    if (st.state === "running" || st.state === "paused") cut("quit", null);
    over("quit");
  }

  function over(how) { // the timeline is over: ask pain now, then finish
    if (quick) { st.how = how; finishSession(null); return; }
    st.how = how;
    st.state = "asking";
    keepAwake(false);
    persist();
    const words = {
      done: ["Well done", "You reached the end of the session."],
      quit: ["Session ended", "You ended the session early. What you did is saved."],
    }[how];
    $("p-end-title").textContent = words[0];
    $("p-end-text").textContent = words[1];
    announce(`${words[0]}. ${words[1]} How much pain do you have now?`);
    say(words[0]);
    beep(990, 300);
    render();
    $("p-end-title").setAttribute("tabindex", "-1");
    $("p-end-title").focus();
  }

  function finishSession(painAfter) {
    const status = { done: "completed", stopped_for_pain: "stopped_for_pain", quit: "quit" }[st.how];
    st.painAfter = painAfter;
    enqueue(`${data.api}/finish`, { status, pain_after: painAfter }, `${data.session_id}:finish`);
    st.state = "finished";
    keepAwake(false);
    persist();
    render();
    const summary = $("p-summary");
    summary.focus();
  }

  // --- drawing -------------------------------------------------------------------------
  let drawn = -1;
  function drawExercise(k) {
    if (k === drawn || k === undefined) return;
    drawn = k;
    const ex = data.exercises[k];
    $("p-name").textContent = ex.name;
    $("p-dose").textContent = ex.dose;
    $("p-figure").innerHTML = ex.svg;
    $("p-count").textContent = `Exercise ${k + 1} of ${data.exercises.length}`;
    const cues = $("p-cues");
    cues.replaceChildren(...ex.cues.map((c) => { const li = document.createElement("li"); li.textContent = c; return li; }));
  }

  function render() {
    root.dataset.state = st.state;
    root.dataset.step = String(st.index);
    root.dataset.exercise = String(exOf[st.index] ?? data.exercises.length);
    root.dataset.end = st.state === "running" ? String(st.end) : ""; // the step's scheduled end
    const active = st.state === "running" || st.state === "paused";
    $("p-start").hidden = st.state !== "ready";
    $("p-running").hidden = !active;
    $("p-pain").hidden = !(active || st.state === "ready");
    $("p-quit").hidden = !active;
    $("p-now").hidden = st.state === "asking" || st.state === "finished";
    $("p-controls").hidden = st.state === "asking" || st.state === "finished";
    $("p-end-form").hidden = st.state !== "asking";
    $("p-summary").hidden = st.state !== "finished";
    $("p-figure").hidden = st.state === "finished";
    $("p-cues").hidden = st.state === "finished";
    $("p-pause").textContent = st.state === "paused" ? "Go on" : "Pause";
    $("p-away").hidden = !(st.state === "paused" && st.away);
    if (st.state === "finished") {
      const done = st.results.filter((r) => r.status === "done").length;
      const lines = [`${plural(done, "exercise")} of ${data.exercises.length} done.`];
      if (st.how === "stopped_for_pain") lines.push("You stopped for pain. Rest now. If the pain does not settle, or you feel numb or weak, see a doctor or physiotherapist.");
      if (st.painAfter !== null && st.painAfter !== undefined) lines.push(`Pain after: ${st.painAfter} out of 10.`);
      $("p-summary-text").textContent = lines.join(" ");
      showNet();
      return;
    }
    const step = steps[st.index];
    if (!step || !active && st.state !== "ready") return;
    const el = elapsed();
    const ex = exercise(st.index);
    const paused = st.away ? "You were away" : "Paused";
    $("p-what").textContent = st.state === "ready" ? `${stepTitle(step)}. Press Start when you are ready.` : (st.state === "paused" ? `${paused} · ${stepTitle(step)}` : stepTitle(step));
    $("p-clock").textContent = clockText(step.seconds - el);
    const rep = $("p-rep");
    if (step.kind === "reps" && st.state !== "ready") {
      rep.hidden = false;
      rep.textContent = `Rep ${Math.min(step.reps, Math.floor(el / step.rep_seconds + 1e-9) + 1)} of ${step.reps}`;
    } else {
      rep.hidden = true;
    }
    $("p-cue").textContent = st.state === "ready" ? "" : cueAt(step, el, ex);
    const progress = (bounds[st.index] + el) / total;
    $("p-bar").value = Math.round(progress * 1000);
    $("p-bar").textContent = `${Math.round(progress * 100)}%`;
    const next = steps[st.index + 1];
    $("p-next").textContent = next ? `Next: ${exercise(st.index + 1).name} (${KIND[next.kind].toLowerCase()})` : "Next: the end";
  }

  // --- pain form, end form, keys ------------------------------------------------------
  let pausedForPain = false;
  function askPain() {
    if (st.state === "running") { pause(); pausedForPain = true; } else pausedForPain = false;
    $("p-controls").hidden = true;
    $("p-pain-form").hidden = false;
    $("p-pain-error").hidden = true;
    const first = $("p-pain-form").querySelector("input");
    first.focus();
    announce("Paused. How bad is the pain, from 0 to 10?");
  }
  function closePain() {
    $("p-pain-form").hidden = true;
    $("p-controls").hidden = false;
    if (pausedForPain) resume();
    $("p-pain").focus();
  }
  function chosen(form, name) {
    const input = form.querySelector(`input[name=${name}]:checked`);
    return input ? Number(input.value) : null;
  }
  $("p-pain-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const pain = chosen(e.target, "pain_stop");
    if (pain === null) {
      $("p-pain-error").hidden = false;
      e.target.querySelectorAll("input").forEach((i) => { i.setAttribute("aria-invalid", "true"); i.setAttribute("aria-describedby", "p-pain-hint p-pain-error"); });
      e.target.querySelector("input").focus();
      return;
    }
    $("p-pain-form").hidden = true;
    stopForPain(pain);
  });
  $("p-pain-cancel").addEventListener("click", closePain);
  $("p-end-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const pain = chosen(e.target, "pain_after");
    if (pain === null) {
      $("p-after-error").hidden = false;
      e.target.querySelectorAll("input").forEach((i) => { i.setAttribute("aria-invalid", "true"); i.setAttribute("aria-describedby", "p-after-hint p-after-error"); });
      e.target.querySelector("input").focus();
      return;
    }
    finishSession(pain);
  });
  $("p-start").addEventListener("click", start);
  $("p-pause").addEventListener("click", () => (st.state === "paused" ? resume() : pause()));
  $("p-skip").addEventListener("click", skip);
  $("p-pain").addEventListener("click", askPain);
  $("p-quit").addEventListener("click", () => {
    if (quick || window.confirm("End the session now? What you did so far is saved.")) quit();
  });
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (!$("p-pain-form").hidden || st.state === "asking" || st.state === "finished") return;
    const tag = e.target.tagName;
    const key = e.key.toLowerCase();
    if (key === " " && !["BUTTON", "INPUT", "A", "SELECT", "TEXTAREA", "SUMMARY"].includes(tag)) {
      e.preventDefault();
      if (st.state === "ready") start();
      else if (st.state === "running") pause();
      else if (st.state === "paused") resume();
    } else if (key === "s" && (st.state === "running" || st.state === "paused")) {
      skip();
    } else if (key === "p" && st.state !== "ready") {
      askPain();
    }
  });
  document.addEventListener("pointerdown", unlockAudio, { passive: true });
  function back() { // shown again, thawed, or restored from the back-forward cache
    tick();
    if (st.state === "running") keepAwake(true);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") back();
    else persist();
  });
  document.addEventListener("resume", back); // after the browser froze the tab
  document.addEventListener("freeze", persist);
  window.addEventListener("pageshow", (e) => { if (e.persisted) back(); });
  ["p-voice", "p-beeps"].forEach((id) => {
    const box = $(id);
    const stored = localStorage.getItem(`psoas-${id}`);
    if (stored !== null) box.checked = stored === "1";
    box.addEventListener("change", () => {
      localStorage.setItem(`psoas-${id}`, box.checked ? "1" : "0");
      if (!box.checked && id === "p-voice" && "speechSynthesis" in window) window.speechSynthesis.cancel();
    });
  });

  // --- resume --------------------------------------------------------------------------
  function firstUnsaved() {
    const queued = new Set(pendingHere().map((it) => it.body.exercise_id));
    const k = data.exercises.findIndex((ex) => !data.saved.includes(ex.id) && !queued.has(ex.id));
    return k;
  }

  function restore() {
    const saved = loadState();
    if (saved && saved.v === 1 && ["running", "paused", "asking", "finished"].includes(saved.state)
        && saved.index < steps.length) {
      st.index = saved.index;
      st.sets = saved.sets || [];
      st.results = saved.results || [];
      st.how = saved.how;
      st.painAfter = saved.painAfter ?? null;
      if (saved.state === "asking" || saved.state === "finished") {
        st.state = saved.state;
        if (saved.state === "asking") over(saved.how);
        else render();
        return;
      }
      const doneHere = data.saved.includes(steps[st.index].exercise_id) && !pendingHere().some((it) => it.body.exercise_id === steps[st.index].exercise_id);
      if (!doneHere) {
        const full = steps[st.index].seconds * 1000;
        const seen = saved.seen ?? saved.end; // an older save: the step's end
        const away = saved.state === "running" && now() - seen > AWAY_MS;
        if (saved.state === "running" && saved.speed === speed && !away) {
          st.state = "running";
          st.end = saved.end;
          st.seen = now();
        } else {
          st.state = "paused";
          st.away = away || (saved.state === "paused" && !!saved.away);
          if (saved.state === "paused") st.left = saved.left;
          else if (away && saved.seen !== undefined) st.left = Math.min(full, Math.max(0, saved.end - saved.seen));
          else st.left = full;
        }
        drawExercise(exOf[st.index]);
        announce(`Back in your session: ${exercise(st.index).name}.`);
        if (st.state === "running") keepAwake(true);
        tick();
        persist();
        render();
        return;
      }
    }
    const k = firstUnsaved();
    if (k < 0) { // every exercise is saved: only the pain question is left
      st.index = steps.length - 1;
      over("done");
      return;
    }
    st.index = firstStep[k];
    st.state = "ready";
    if (k > 0) $("p-start").textContent = "Carry on";
    drawExercise(k);
    render();
  }

  restore();
  showNet();
  flush();
  setInterval(tick, 100);
})();
