// The enterprise inbox: live updates over Server-Sent Events (the enterprise's inbox feed),
// and the reply box sent with fetch (CSRF token in a header). No inline script anywhere:
// the page's CSP allows only this file. Server HTML is escaped by the templates; text we
// set here goes through textContent.
"use strict";
(function () {
  const body = document.body;
  const mode = body.dataset.live;
  const csrfMeta = document.querySelector('meta[name="csrf"]');
  const csrf = csrfMeta ? csrfMeta.content : "";
  const indicator = document.getElementById("live-indicator");
  let timer = null;

  async function fetchDoc(url) {
    const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!r.ok) throw new Error("HTTP " + r.status);
    return new DOMParser().parseFromString(await r.text(), "text/html");
  }

  function refs(root) {
    return new Set(Array.from(root.querySelectorAll("tr.case-row"), (tr) => tr.dataset.ref));
  }

  async function refreshList() {
    const url = new URL(location.href);
    url.searchParams.set("part", "rows");
    const doc = await fetchDoc(url);
    const next = doc.getElementById("rows");
    const current = document.getElementById("rows");
    if (!next || !current) return;
    const before = refs(current);
    next.querySelectorAll("tr.case-row").forEach((tr) => {
      if (!before.has(tr.dataset.ref)) tr.classList.add("new");
    });
    current.replaceWith(next);
  }

  function typing(section) {
    return Array.from(section.querySelectorAll("textarea")).some((t) => t.value.trim() !== "")
      || Array.from(section.querySelectorAll("input[type=file]")).some((f) => f.files.length > 0);
  }

  // The photo is checked here first (a 30 MB upload over a phone's network only to be
  // refused); the server checks again, with the web chat's limits.
  const PHOTO_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

  function photoProblem(input, area) {
    const file = input && input.files[0];
    if (!file) return input && area.value.trim() === "" ? input.dataset.empty : "";
    if (file.size > Number(input.dataset.max)) return input.dataset.tooLarge;
    if (file.type && !PHOTO_TYPES.includes(file.type)) return input.dataset.notImage;
    return "";
  }

  async function refreshCase() {
    const url = new URL(location.pathname, location.origin);
    url.searchParams.set("part", "live");
    const doc = await fetchDoc(url);
    const live = doc.getElementById("live-part");
    if (live) document.getElementById("live-part").replaceWith(live);
    const next = doc.getElementById("actions");
    const current = document.getElementById("actions");
    if (next && current && next.dataset.key !== current.dataset.key && !typing(current)) {
      current.replaceWith(next);
      wireReply();
    }
  }

  function refresh() {
    if (timer) return;  // a burst of events becomes one fetch
    timer = setTimeout(async () => {
      timer = null;
      try {
        await (mode === "list" ? refreshList() : refreshCase());
      } catch (e) { /* next event or reconnect tries again */ }
    }, 100);
  }

  function connect() {
    let after = body.dataset.after || "0";
    const source = new EventSource("/inbox/events?after=" + encodeURIComponent(after));
    source.onopen = () => {
      indicator.hidden = false;
      indicator.classList.remove("off");
    };
    source.onmessage = (e) => {
      after = e.lastEventId || after;
      let data = {};
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (mode === "list" || data.reference === body.dataset.ref) refresh();
    };
    source.onerror = () => {
      indicator.classList.add("off");  // EventSource reconnects with Last-Event-ID
    };
  }

  function wireReply() {
    const form = document.getElementById("reply-form");
    if (!form || form.dataset.wired) return;
    form.dataset.wired = "1";
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button");
      const status = form.querySelector(".form-status");
      const area = form.querySelector("textarea");
      const photo = form.querySelector("input[type=file]");
      const problem = photoProblem(photo, area);
      if (problem) {
        status.textContent = problem;
        return;
      }
      button.disabled = true;
      try {
        const r = await fetch(form.action, {  // multipart: the browser sets the boundary
          method: "POST", credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": csrf },
          body: new FormData(form),
        });
        let answer = {};
        try { answer = await r.json(); } catch (err) { /* not JSON */ }
        if (r.ok) {
          area.value = "";
          if (photo) photo.value = "";
          status.textContent = "";
          refresh();
        } else {
          status.textContent = (answer.error && answer.error.message) || ("HTTP " + r.status);
        }
      } catch (err) {
        status.textContent = indicator ? indicator.dataset.off : "…";
      } finally {
        button.disabled = false;
      }
    });
  }

  if (mode === "list" || mode === "case") connect();
  wireReply();
})();
