// Move-break reminders while psoas is open in a tab (issue 15). Every page loads this.
//
// * It asks GET /api/breaks when the next reminder comes, and sleeps until then (looking
//   again at least every minute, and when the tab is shown again).
// * When one is due, it claims it (POST /api/breaks/events, kind "prompted"): only the
//   first claimant shows it, so `psoas breaks run` and a second tab stay quiet.
// * It shows a notification if the person allowed them: through the service worker with
//   Take the break / Snooze / Skip where the browser has actions (sw-breaks.js handles the
//   click), else a plain one that opens the guided break. Whether or not a notification
//   shows, a banner at the top of the page offers the same choices while the reminder
//   waits; where notifications are refused or missing, the banner does the job.
// * A button marked data-break-permission asks for permission (a browser asks only on a
//   click); an input marked data-browser-zone gets the browser's time zone.
"use strict";
(() => {
  const API = "/api/breaks";
  const TAG = "psoas-break";
  const ON_MS = 60000; // look again at least this often while breaks are on
  const OFF_MS = 300000; // and this often while they are off
  const onBreakPage = location.pathname.startsWith("/breaks/now/");
  let status = null;
  let timer = null;
  let looking = false;

  async function call(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    let json = null;
    try { json = await response.json(); } catch (e) { /* not JSON */ }
    return { ok: response.ok, code: response.status, json };
  }

  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(look, Math.max(1000, Math.min(ms, status && status.enabled ? ON_MS : OFF_MS)));
  }

  function untilNext() {
    if (!status || !status.enabled || !status.next_at) return OFF_MS;
    return Date.parse(status.next_at) - Date.parse(status.now);
  }

  function untilDue() { // a reminder due but not shown here (the guided break is open): later
    const wait = untilNext();
    later(wait > 0 ? wait : ON_MS);
  }

  async function look() {
    if (looking) return;
    looking = true;
    try {
      const r = await call("GET", API);
      if (r.code === 401 || r.code === 403) return; // not let in yet: nothing to remind
      if (!r.ok) { later(ON_MS); return; }
      status = r.json;
      if (status.enabled && status.next_at && untilNext() <= 0 && !onBreakPage) await remind();
      banner();
      untilDue();
    } catch (e) {
      later(ON_MS); // offline: try again
    } finally {
      looking = false;
    }
  }

  async function remind() {
    const r = await call("POST", `${API}/events`, { kind: "prompted" });
    if (r.ok) {
      status = r.json;
      await notify();
    } else {
      const again = await call("GET", API); // shown elsewhere: show the banner only
      if (again.ok) status = again.json;
    }
  }

  function words() {
    return { title: "Time to move", body: `Stand up for a ${status.break_min}-minute break: a short walk or a stretch.` };
  }

  async function notify() {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const { title, body } = words();
    const options = { body, tag: TAG, data: { url: status.break_url } };
    try {
      const reg = "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration() : null;
      if (reg && reg.active && (Notification.maxActions || 0) > 0) {
        const actions = [{ action: "take", title: "Take the break" }];
        actions.push(status.snoozes_left > 0 ? { action: "snooze", title: `Snooze ${status.snooze_min} min` } : { action: "skip", title: "Skip" });
        await reg.showNotification(title, { ...options, requireInteraction: true, actions: actions.slice(0, Notification.maxActions) });
        return;
      }
    } catch (e) { /* no worker to show it: a plain one */ }
    try {
      const note = new Notification(title, options);
      note.onclick = () => {
        window.focus();
        note.close();
        location.assign(status.break_url);
      };
    } catch (e) { /* a browser that allows only the worker's kind: the banner does it */ }
  }

  // --- the banner ------------------------------------------------------------------------
  function button(text, act) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "button";
    b.textContent = text;
    b.dataset.breakAct = act;
    b.addEventListener("click", () => answer(act));
    return b;
  }

  function buildBanner() {
    const box = document.createElement("section");
    box.id = "break-banner";
    box.className = "alert alert--info";
    box.setAttribute("aria-label", "Move break");
    const text = document.createElement("p");
    text.id = "break-banner-text";
    text.setAttribute("role", "alert");
    const row = document.createElement("div");
    row.className = "row break-actions";
    const take = document.createElement("a");
    take.className = "button button--primary";
    take.href = status.break_url;
    take.textContent = "Take the break";
    row.append(take, button("I moved", "moved"), button("Snooze", "snoozed"), button("Skip", "skipped"));
    const note = document.createElement("p");
    note.className = "small";
    note.id = "break-banner-note";
    note.setAttribute("role", "status");
    box.append(text, row, note);
    return box;
  }

  function banner() {
    let box = document.getElementById("break-banner");
    const waiting = status && status.enabled && status.shown_at && !onBreakPage;
    if (!waiting) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = buildBanner();
      (document.querySelector("main") || document.body).prepend(box);
    }
    const { title, body } = words();
    const text = `${title}. ${body}`;
    const p = document.getElementById("break-banner-text");
    if (p.textContent !== text) p.textContent = text;
    const snooze = box.querySelector('[data-break-act="snoozed"]');
    snooze.hidden = !status.can_snooze;
    snooze.textContent = `Snooze ${status.snooze_min} min`;
  }

  async function answer(act) {
    const note = document.getElementById("break-banner-note");
    try {
      const r = await call("POST", `${API}/events`, { kind: act });
      if (!r.ok) {
        note.textContent = (r.json && typeof r.json.detail === "string" ? r.json.detail.replace(/^kind: /, "") : "That did not work. Try again.");
        await look();
        return;
      }
      status = r.json;
      closeNotifications();
      banner();
      untilDue();
    } catch (e) {
      note.textContent = "No connection. Try again in a moment.";
    }
  }

  async function closeNotifications() {
    try {
      const reg = "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration() : null;
      if (reg) (await reg.getNotifications({ tag: TAG })).forEach((n) => n.close());
    } catch (e) { /* nothing to close */ }
  }

  // --- permission and time zone ---------------------------------------------------------
  function permissionWords() {
    if (!("Notification" in window)) return "This browser cannot show notifications here. The banner at the top of the page reminds you instead.";
    if (Notification.permission === "granted") return "Notifications are on for this browser.";
    if (Notification.permission === "denied") return "This browser blocks notifications from psoas. The banner at the top of the page reminds you instead. You can allow them in the browser's site settings.";
    return "";
  }

  function showPermission() {
    document.querySelectorAll("[data-break-permission]").forEach((b) => {
      b.hidden = !("Notification" in window) || Notification.permission !== "default";
    });
    document.querySelectorAll("[data-break-permission-status]").forEach((s) => {
      s.textContent = permissionWords();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    showPermission();
    document.querySelectorAll("[data-break-permission]").forEach((b) => {
      b.addEventListener("click", async () => {
        try { await Notification.requestPermission(); } catch (e) { /* an old browser */ }
        showPermission();
      });
    });
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* none */ }
    document.querySelectorAll("input[data-browser-zone]").forEach((input) => {
      if (!input.value && zone) input.value = zone;
    });
    look();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") look();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "psoas-breaks-changed") look();
    });
  }
})();
