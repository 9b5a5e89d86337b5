// loa console: the only script. Pages work without it; it adds live progress and the
// live preview of an announcement.
"use strict";

// Progress bars: poll /api/tien-do every 2 s while any broadcast on the page is under way.
(function () {
  const bars = () => Array.from(document.querySelectorAll(".progress[data-broadcast]"));
  if (bars().length === 0) return;
  const fmt = (n) => n.toLocaleString("vi-VN");
  const pct = (p, t) => (t > 0 ? (p * 100) / t : 0);
  async function tick() {
    const ids = bars().map((b) => b.dataset.broadcast);
    if (ids.length === 0) return;
    let resp;
    try {
      resp = await fetch("/api/tien-do?id=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (e) {
      setTimeout(tick, 5000);
      return;
    }
    if (resp.status === 401 || resp.status === 403) return; // signed out: stop
    if (!resp.ok) { setTimeout(tick, 5000); return; }
    const data = await resp.json();
    let running = false;
    for (const b of bars()) {
      const p = data[b.dataset.broadcast];
      if (!p) continue;
      const bad = p.failed + p.cancelled;
      const sent = pct(p.sent, p.total), failed = pct(bad, p.total);
      b.querySelector("rect.sent").setAttribute("width", sent.toFixed(1));
      const f = b.querySelector("rect.failed");
      f.setAttribute("x", sent.toFixed(1));
      f.setAttribute("width", failed.toFixed(1));
      b.querySelector(".n-sent").textContent = fmt(p.sent);
      b.querySelector(".n-failed").textContent = fmt(bad);
      b.querySelector(".n-pending").textContent = fmt(p.pending);
      b.querySelector(".n-pct").textContent = pct(p.total - p.pending, p.total).toFixed(1);
      if (p.pending > 0) running = true;
      else b.dataset.done = "1";
    }
    if (running) setTimeout(tick, 2000);
  }
  setTimeout(tick, 1000);
})();

// Live preview: the announcement form's text, rendered by the server with the same
// renderers the engine uses, as the admin types (debounced).
(function () {
  const form = document.querySelector("form[data-preview]");
  if (!form) return;
  const body = form.querySelector("textarea[name=text]");
  const tg = document.getElementById("preview-telegram");
  const zl = document.getElementById("preview-zalo");
  if (!body || !tg || !zl) return;
  let timer = null;
  async function update() {
    const fd = new URLSearchParams();
    fd.set("text", body.value);
    fd.set("csrf", form.querySelector("input[name=csrf]").value);
    try {
      const resp = await fetch(form.dataset.preview, { method: "POST", body: fd, credentials: "same-origin" });
      if (!resp.ok) return;
      const data = await resp.json();
      // The server sends Telegram's HTML already sanitised to <b>, <i>, <a href>, as
      // Telegram shows it; Zalo's is plain text.
      tg.innerHTML = data.telegram;
      zl.textContent = data.zalo;
    } catch (e) { /* keep the last preview */ }
  }
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
})();
