// The guided break page (/breaks/now/). With exercises, the session player
// (tracking/static/tracking/player.js) plays them from #player-data; this only clears the
// saved state of earlier breaks, so a reload resumes this break and no other. A walk is
// timed here: a countdown on the wall clock (a tab in the background catches up), a cue
// every 15 seconds, and at the end POST /api/breaks/now/finish, which counts it.
// ?speed=N runs the clock N times faster (tests), as in the player.
"use strict";
(() => {
  const data = document.getElementById("player-data");
  const current = data ? `psoas-player-${JSON.parse(data.textContent).session_id}` : "";
  try {
    Object.keys(localStorage)
      .filter((k) => k.startsWith("psoas-player-break-") && k !== current)
      .forEach((k) => localStorage.removeItem(k));
  } catch (e) { /* storage blocked */ }

  const root = document.getElementById("walk");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const speed = Math.min(1000, Math.max(1, Number(new URLSearchParams(location.search).get("speed")) || 1));
  const total = Number(root.dataset.seconds) * 1000; // ms of walking
  const cues = [...root.querySelectorAll(".walk__cues li")].map((li) => li.textContent);
  const CUE_MS = 15000;
  let started = 0;
  let ticker = null;
  let cueShown = -1;

  const elapsed = () => Math.min(total, (Date.now() - started) * speed);
  function clockText(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000 - 1e-9));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  function announce(text) { $("w-live").textContent = text; }

  function tick() {
    const el = elapsed();
    $("w-clock").textContent = clockText(total - el);
    $("w-bar").value = Math.round((el / total) * 1000);
    $("w-bar").textContent = `${Math.round((el / total) * 100)}%`;
    const k = Math.floor(el / CUE_MS) % Math.max(cues.length, 1);
    if (k !== cueShown && cues.length) {
      cueShown = k;
      $("w-cue").textContent = cues[k];
      announce(cues[k]);
    }
    if (el >= total) finish("completed");
  }

  function start() {
    started = Date.now();
    root.dataset.state = "running";
    $("w-start").hidden = true;
    $("w-stop").hidden = false;
    $("w-what").textContent = "Walk";
    tick();
    ticker = setInterval(tick, 200);
    $("w-stop").focus();
  }

  async function finish(how) {
    clearInterval(ticker);
    root.dataset.state = "saving";
    $("w-start").hidden = true;
    $("w-stop").hidden = true;
    let counted = false;
    let words;
    try {
      const r = await fetch("/api/breaks/now/finish", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ status: how, pain_after: null }),
      });
      counted = r.ok && (await r.json()).counted;
      words = counted ? "Well done. That break counts." : "Break stopped. It was not counted. If you moved anyway, tap I moved below.";
    } catch (e) {
      words = "It could not be saved: there is no connection. When you are back online, tap I moved below.";
    }
    root.dataset.counted = String(counted);
    root.dataset.state = "finished";
    $("w-what").textContent = counted ? "Done" : "Stopped";
    $("w-summary-text").textContent = words;
    $("w-summary").hidden = false;
    $("w-summary").focus();
    announce(words);
  }

  $("w-start").addEventListener("click", start);
  $("w-stop").addEventListener("click", () => finish("quit"));
})();
