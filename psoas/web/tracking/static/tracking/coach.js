// The camera coach in the session player. Off until the person switches it on.
//
// * The pose model (MediaPipe Pose, vendored in vendor/mediapipe-pose) runs in this page
//   on the camera's picture. The picture is shown here only: it is never sent, saved or
//   recorded. What leaves the page is each frame's landmarks (33 points: x, y, z,
//   visibility, and the 33 world points), with its time and the picture's shape.
// * Every quarter of a second the frames read since the last batch go to
//   POST /api/sessions/<id>/coach, one batch at a time, for the exercise the player is on
//   and the side it is on. The server runs the core coach (psoas/core/coach), the one
//   implementation of every rule, and answers with the reps, the hold and one cue. This
//   script only shows the answer large and says the cue with the player's own voice
//   (the "psoas:say" event: player.js speaks it if spoken cues are on).
// * The player saves each exercise when it ends; the server then keeps what the coach
//   counted with it. A batch for an exercise already saved is a 409, and stops here.
// * Frames go only while the player runs, on an exercise whose content has a coach block;
//   for one without, the exercise's own reason shows and the camera waits.
"use strict";
(() => {
  const box = document.getElementById("p-coach");
  const dataEl = document.getElementById("player-data");
  if (!box || !dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  const root = document.getElementById("player");
  const $ = (id) => document.getElementById(id);
  const toggle = $("p-camera");
  const video = $("p-coach-video");
  const BATCH_MS = 250;
  const MAX_FRAMES = 120; // the server's limit per batch
  const SAY_AGAIN_MS = 6000; // the same cue is said again at most this often
  const steps = data.steps;

  let pose = null;
  let stream = null;
  let running = false; // the camera is on and the model reads it
  let frames = [];
  let sending = false;
  let sentAt = 0;
  const saved = new Set(); // exercise ids the server has saved (no more batches)
  const counts = {}; // exercise id -> {side: last answer}
  let lastCue = "";
  let lastCueAt = 0;

  const clock = () => (performance.timeOrigin + performance.now()) / 1000;
  const plural = (n, w) => `${n} ${w}${n === 1 ? "" : "s"}`;
  function setState(text) { $("p-coach-state").textContent = text; }

  function current() { // the exercise and side the player is on (player.js says which), or null
    if (root.dataset.state !== "running") return null;
    const ex = data.exercises[Number(root.dataset.exercise)];
    if (!ex) return null;
    let side = "right"; // the figure's working side, for moves done with both legs
    for (let j = Number(root.dataset.step); j < steps.length && steps[j].exercise_id === ex.id; j += 1) {
      if (steps[j].kind === "hold" || steps[j].kind === "reps") {
        if (steps[j].side === "left" || steps[j].side === "right") side = steps[j].side;
        break;
      }
    }
    return { ex, side };
  }

  function showExercise() { // what the camera can do for the exercise on screen
    const ex = data.exercises[Number(root.dataset.exercise)];
    if (!ex) return;
    const why = $("p-coach-why");
    if (ex.coach.can) {
      const view = ex.coach.view === "front" ? "in front of you" : "at your side, side-on";
      why.textContent = `For ${ex.name}, put the camera ${view}, 2 to 3 metres away, so it sees all of you.`;
    } else {
      why.textContent = `The camera cannot coach ${ex.name}. ${ex.coach.why}`;
    }
    box.dataset.coachable = ex.coach.can ? "yes" : "no";
    $("p-coach-count").textContent = ""; // the last exercise's count is not this one's
    $("p-coach-cue").textContent = "";
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(s);
    });
  }

  async function readyModel() {
    if (pose) return;
    const base = box.dataset.pose;
    if (!window.Pose) await loadScript(`${base}pose.js`);
    const made = new window.Pose({ locateFile: (file) => `${base}${file}` });
    made.setOptions({ modelComplexity: 1, smoothLandmarks: true, selfieMode: false });
    made.onResults(onResults);
    await made.initialize();
    const blank = document.createElement("canvas"); // start the graph before the camera
    blank.width = 64;
    blank.height = 64;
    blank.getContext("2d").fillRect(0, 0, 64, 64);
    await made.send({ image: blank });
    pose = made;
  }

  const r4 = (v) => Math.round((Number(v) || 0) * 10000) / 10000;
  const vis = (v) => Math.min(1, Math.max(0, r4(v)));
  function onResults(results) {
    if (!running || !video.videoWidth) return;
    const p = results.poseLandmarks;
    const w = results.poseWorldLandmarks;
    frames.push({
      t: sentAt,
      points: p ? p.map((q) => [r4(q.x), r4(q.y), r4(q.z), vis(q.visibility)]) : null,
      world: p && w ? w.map((q) => [r4(q.x), r4(q.y), r4(q.z)]) : null,
      aspect: Math.round((video.videoWidth / video.videoHeight) * 1000) / 1000,
    });
    if (frames.length > MAX_FRAMES) frames = frames.slice(-MAX_FRAMES);
  }

  async function readLoop() {
    while (running) {
      // The model reads only while the player runs: nothing is sent otherwise, and a
      // phone's battery and the page's one thread are spared.
      if (video.readyState >= 2 && !video.paused && root.dataset.state === "running") {
        sentAt = clock();
        try { await pose.send({ image: video }); } catch (e) { stop("The camera coach stopped: the pose model failed."); return; }
      } else {
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 20)); // a breath for the page between frames
    }
  }

  async function sendBatch() {
    const now = current();
    if (!running || sending || !frames.length) return;
    if (!now || !now.ex.coach.can || saved.has(now.ex.id)) { frames = []; return; }
    const batch = frames;
    frames = [];
    sending = true;
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    try {
      const response = await fetch(box.dataset.coachApi, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": input ? input.value : "" },
        body: JSON.stringify({ exercise_id: now.ex.id, side: now.side, frames: batch }),
        credentials: "same-origin",
      });
      if (response.status === 409) saved.add(now.ex.id);
      else if (!response.ok) console.warn("psoas: the coach refused a batch", response.status, await response.text());
      else show(now, await response.json());
    } catch (e) {
      setState("The camera coach cannot reach psoas right now. Your session goes on.");
    } finally {
      sending = false;
    }
  }

  function show(now, answer) {
    (counts[now.ex.id] ||= {})[now.side] = answer;
    const perSide = steps.some((s) => s.exercise_id === now.ex.id && s.side === "left");
    const count = now.ex.coach.mode === "hold"
      ? `Camera timed: ${Math.round(answer.held_s)} s held`
      : `Camera counted: ${plural(answer.reps, "rep")}`;
    $("p-coach-count").textContent = count + (perSide ? `, ${now.side} side` : "");
    box.dataset.reps = String(answer.reps);
    box.dataset.holdS = String(answer.hold_s);
    const cue = answer.cue ? answer.cue.message : "";
    $("p-coach-cue").textContent = cue;
    box.dataset.cue = answer.cue ? answer.cue.kind : "";
    const t = Date.now();
    if (cue && (cue !== lastCue || t - lastCueAt > SAY_AGAIN_MS)) {
      root.dispatchEvent(new CustomEvent("psoas:say", { detail: cue }));
      lastCueAt = t;
    }
    lastCue = cue;
    setState("The camera coach is on.");
  }

  function summary() { // at the end: what the camera counted, beside the plan
    const lines = [];
    data.exercises.forEach((ex) => {
      const sides = counts[ex.id];
      if (!sides) return;
      const parts = Object.entries(sides).map(([side, a]) => (ex.coach.mode === "hold"
        ? `${Math.round(a.held_s)} s held`
        : plural(a.reps, "rep")) + (Object.keys(sides).length > 1 ? ` (${side})` : ""));
      lines.push(`${ex.name}: ${parts.join(", ")}.`);
    });
    const done = $("p-coach-done");
    done.hidden = !lines.length;
    done.textContent = lines.length ? `The camera counted: ${lines.join(" ")} This is saved with your session.` : "";
  }

  async function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      stop("The camera works only when psoas runs on this device, or over https.");
      return;
    }
    setState("Getting the camera coach ready. This can take a few seconds.");
    try {
      await readyModel();
    } catch (e) {
      stop("The camera coach cannot run in this browser. Your session works as before.");
      return;
    }
    if (!toggle.checked) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (e) {
      const refused = e && e.name === "NotAllowedError";
      stop(refused ? "The camera was not allowed. You can allow it in your browser's settings." : "No camera was found.");
      return;
    }
    if (!toggle.checked) { stop(""); return; }
    video.srcObject = stream;
    try { await video.play(); } catch (e) { /* shown once it plays */ }
    $("p-coach-on").hidden = false;
    running = true;
    box.dataset.camera = "on";
    setState("The camera coach is on. Your video stays on this device.");
    readLoop();
  }

  function stop(message) {
    running = false;
    frames = [];
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    $("p-coach-on").hidden = true;
    box.dataset.camera = "off";
    toggle.checked = false;
    setState(message);
  }

  toggle.addEventListener("change", () => {
    if (toggle.checked) start();
    else stop("The camera is off.");
  });
  box.hidden = false;
  box.dataset.camera = "off";
  showExercise();
  let shownExercise = root.dataset.exercise;
  setInterval(() => {
    if (root.dataset.exercise !== shownExercise) { shownExercise = root.dataset.exercise; showExercise(); }
    if (root.dataset.state === "finished" || root.dataset.state === "asking") {
      if (running) stop("The session is over, so the camera is off.");
      summary();
      box.hidden = !Object.keys(counts).length;
    }
    sendBatch();
  }, BATCH_MS);
})();
