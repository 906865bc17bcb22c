// Move-break notifications (issue 15), loaded into psoas's service worker
// (site/static/site/sw.js). A reminder shown with actions (breaks/static/breaks/reminders.js)
// comes here when it is clicked: "Take the break" or the notification itself opens the
// guided break in a psoas tab (or a new one); "Snooze" and "Skip" are sent to the API
// (the rules may refuse a late snooze), and open tabs are told to look again.
"use strict";
const BREAK_TAG = "psoas-break";

async function breakTabs() {
  const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return all.filter((c) => new URL(c.url).origin === self.location.origin);
}

async function openBreak(url) {
  const [tab] = await breakTabs();
  if (tab) {
    try {
      const moved = await tab.navigate(url); // only for a tab this worker controls
      await (moved || tab).focus();
      return;
    } catch (err) { /* not controlled: open a new one */ }
  }
  await self.clients.openWindow(url);
}

async function answerBreak(kind) {
  try {
    await fetch("/api/breaks/events", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind }),
    });
  } finally {
    (await breakTabs()).forEach((tab) => tab.postMessage({ type: "psoas-breaks-changed" }));
  }
}

self.addEventListener("notificationclick", (event) => {
  const note = event.notification;
  if (note.tag !== BREAK_TAG) return;
  note.close();
  if (event.action === "snooze" || event.action === "skip") {
    event.waitUntil(answerBreak(event.action === "snooze" ? "snoozed" : "skipped"));
  } else {
    event.waitUntil(openBreak((note.data && note.data.url) || "/breaks/now/"));
  }
});
