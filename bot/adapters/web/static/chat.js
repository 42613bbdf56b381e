// The web chat: sends in order (each message has an id, so a retry never doubles it),
// receives over Server-Sent Events from the outbox feed, keeps the transcript for reloads.
"use strict";
(function () {
  const log = document.getElementById("log");
  const input = document.getElementById("input");
  const form = document.getElementById("composer");
  const choicesBox = document.getElementById("choices");
  const conn = document.getElementById("conn");
  const photo = document.getElementById("photo");
  const STORE = "odr-chat-v1";
  let saved = { items: [], last: 0 };
  try { saved = JSON.parse(sessionStorage.getItem(STORE)) || saved; } catch (e) { /* fresh */ }
  const queue = [];
  let sending = false;

  function persist() {
    saved.items = saved.items.slice(-200);
    sessionStorage.setItem(STORE, JSON.stringify(saved));
  }
  function newId() {
    const a = new Uint8Array(12); crypto.getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function bubble(who, text, opts, photoUrl) {
    const div = document.createElement("div");
    div.className = "msg " + who;
    div.textContent = text;  // never innerHTML: user text is shown as text
    if (photoUrl && /^\/chat\/photo\/\d+$/.test(photoUrl)) {
      const img = document.createElement("img");
      img.src = photoUrl;
      img.alt = text;
      img.className = "photo";
      div.appendChild(img);
    }
    if (opts && opts.length) {
      const o = document.createElement("div");
      o.className = "opts";
      o.textContent = opts.map((c) => c[0] + ". " + c[1]).join("   ");
      div.appendChild(o);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }
  function showChoices(opts) {
    choicesBox.replaceChildren();
    (opts || []).forEach((c) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = c[1];
      b.dataset.key = c[0];
      b.addEventListener("click", () => { showChoices([]); submit(c[0], c[1]); });
      choicesBox.appendChild(b);
    });
  }
  function submit(text, shown) {
    const id = newId();
    const el = bubble("me pending", shown || text);
    saved.items.push({ who: "me", text: shown || text });
    persist();
    queue.push({ id: id, text: text, el: el });
    pump();
  }
  async function pump() {
    if (sending) return;
    sending = true;
    while (queue.length) {
      const item = queue[0];
      let delay = 500;
      for (;;) {
        try {
          const r = await fetch("/chat/send", {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ id: item.id, text: item.text }), credentials: "same-origin",
          });
          if (r.ok) { item.el.classList.remove("pending"); break; }
          if (r.status < 500 && r.status !== 429) { item.el.classList.add("failed"); break; }
        } catch (e) { /* network: retry with the same id */ }
        await new Promise((res) => setTimeout(res, delay));
        delay = Math.min(delay * 2, 8000);
      }
      queue.shift();
    }
    sending = false;
  }
  function connect() {
    const es = new EventSource("/chat/events?after=" + saved.last);
    es.onopen = () => { conn.textContent = "已连接"; };
    es.onerror = () => { conn.textContent = "重新连接中…"; };
    es.onmessage = (ev) => {
      const id = parseInt(ev.lastEventId, 10) || 0;
      if (id && id <= saved.last) return;
      const m = JSON.parse(ev.data);
      bubble("bot", m.text, m.choices, m.photo);
      showChoices(m.choices);
      saved.items.push({ who: "bot", text: m.text, choices: m.choices, photo: m.photo });
      if (id) saved.last = id;
      persist();
    };
  }
  saved.items.forEach((m) => bubble(m.who, m.text, m.choices, m.photo));
  if (saved.items.length) {
    const lastBot = [...saved.items].reverse().find((m) => m.who === "bot");
    if (lastBot) showChoices(lastBot.choices);
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    showChoices([]);
    submit(text);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
  });
  photo.addEventListener("change", async () => {
    const file = photo.files && photo.files[0];
    if (!file) return;
    const el = bubble("me pending", "📷 " + file.name);
    const r = await fetch("/chat/upload?id=" + newId(), { method: "POST", body: file, credentials: "same-origin" });
    el.classList.remove("pending");
    if (!r.ok) el.classList.add("failed");
    photo.value = "";
  });
  connect();
  if (!saved.items.length) {
    // First visit: the same greeting a WeChat follower gets (deduped server-side by id).
    fetch("/chat/send", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: "hello", event: "subscribe" }), credentials: "same-origin" });
  }
})();
