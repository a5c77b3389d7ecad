// The sandbox web chat. Plain JS, no build step.
// Bot text is NEVER inserted as HTML: the DOM is built from text + entities with text nodes.
"use strict";

const API = "/sandbox/api";
const state = { users: new Map(), columns: new Map(), lastSeq: 0, bot: null, timeZone: undefined };
const $ = (sel, root = document) => root.querySelector(sel);
// The message box of a chat column. Not `.text` alone: message bubbles have that class too.
const composerInput = (root) => $(".composer input.text", root);

async function api(path, options = {}) {
  const init = { ...options };
  if (init.json !== undefined) {
    init.method = init.method || "POST";
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(init.json);
    delete init.json;
  }
  const response = await fetch(API + path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---------------------------------------------------------------- entities -> DOM
const SAFE_URL = /^(https?:|tg:|mailto:)/i;

function laminar(entities) {
  // Split overlapping entities so that every pair is nested or disjoint.
  let list = entities.map((e) => ({ ...e, end: e.offset + e.length })).filter((e) => e.length > 0);
  let changed = true;
  while (changed) {
    changed = false;
    list.sort((a, b) => a.offset - b.offset || b.end - a.end);
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i], b = list[j];
        if (b.offset >= a.end) break;
        if (b.end > a.end) {
          list.splice(j, 1, { ...b, end: a.end }, { ...b, offset: a.end });
          changed = true;
          break outer;
        }
      }
    }
  }
  return list;
}

function entityElement(entity, text, user) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote": case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const span = el("span", { class: "spoiler", title: "spoiler" });
      span.addEventListener("click", () => span.classList.toggle("shown"));
      return span;
    }
    case "text_link": case "url": {
      const url = entity.type === "url" ? text.slice(entity.offset, entity.end) : entity.url;
      if (!url || !SAFE_URL.test(url)) return el("span");
      return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
    }
    case "bot_command": {
      const command = text.slice(entity.offset, entity.end);
      return el("span", { class: "command", onclick: () => user && sendText(user, command) });
    }
    default: return el("span", { class: `entity-${entity.type}` });
  }
}

function appendPlain(parent, text, user, plainCommands) {
  if (!plainCommands || !text.includes("/")) { parent.append(document.createTextNode(text)); return; }
  // Telegram apps make /commands in any text clickable.
  const re = /(^|[\s(])(\/[A-Za-z0-9_]{1,32})(?=$|[\s.,;:!?)])/g;
  let last = 0, match;
  while ((match = re.exec(text)) !== null) {
    const start = match.index + match[1].length;
    parent.append(document.createTextNode(text.slice(last, start)));
    const command = match[2];
    parent.append(el("span", { class: "command", text: command, onclick: () => user && sendText(user, command) }));
    last = start + command.length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

function renderText(text, entities, user) {
  const fragment = document.createDocumentFragment();
  const list = laminar(entities || []);
  const build = (parent, start, end, items, plainCommands) => {
    let pos = start, i = 0;
    while (i < items.length) {
      const entity = items[i];
      if (entity.offset > pos) appendPlain(parent, text.slice(pos, entity.offset), user, plainCommands);
      const inner = [];
      let j = i + 1;
      while (j < items.length && items[j].offset < entity.end) inner.push(items[j++]);
      const node = entityElement(entity, text, user);
      const plain = plainCommands && !["code", "pre", "text_link", "url", "bot_command"].includes(entity.type);
      build(node, entity.offset, entity.end, inner, plain);
      parent.append(node);
      pos = entity.end;
      i = j;
    }
    if (pos < end) appendPlain(parent, text.slice(pos, end), user, plainCommands);
  };
  build(fragment, 0, text.length, list, true);
  return fragment;
}

// ---------------------------------------------------------------- users
function renderUsers() {
  const list = $("#users");
  list.replaceChildren();
  for (const user of state.users.values()) {
    const item = el("li", { dataset: { userId: user.id }, onclick: () => { openColumn(user.id); $("#sidebar").classList.add("hidden-mobile"); } });
    item.append(document.createTextNode(`${user.first_name} · ${user.language_code || "—"} · ${user.id}`));
    if (user.organizer) item.append(el("span", { class: "badge", text: "organizer" }));
    if (user.blocked) item.classList.add("blocked");
    list.append(item);
  }
}

async function refreshUsers() {
  const body = await api("/users");
  state.users = new Map(body.users.map((u) => [u.id, u]));
  renderUsers();
  for (const [id, column] of state.columns) {
    const user = state.users.get(id);
    if (!user) closeColumn(id); else updateHeader(column, user);
  }
}

async function createUser(event) {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const error = $("#new-user-error");
  error.hidden = true;
  try {
    const body = await api("/users", {
      json: {
        first_name: data.get("first_name"),
        username: data.get("username"),
        language_code: data.get("language_code"),
        organizer: data.get("organizer") === "on",
      },
    });
    state.users.set(body.user.id, body.user);
    renderUsers();
    await openColumn(body.user.id);
    $("#sidebar").classList.add("hidden-mobile");
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
}

// ---------------------------------------------------------------- columns
function saveOpen() {
  localStorage.setItem("sandbox-open", JSON.stringify([...state.columns.keys()]));
}

function updateHeader(column, user) {
  $(".name", column.root).textContent = user.first_name;
  const parts = [`id ${user.id}`, user.language_code || "no language"];
  if (user.organizer) parts.push("organizer");
  if (user.blocked) parts.push("blocked the bot");
  $(".meta", column.root).textContent = parts.join(" · ");
  $(".block", column.root).textContent = user.blocked ? "Unblock" : "Block";
  column.user = user;
}

async function openColumn(userId) {
  if (state.columns.has(userId)) {
    state.columns.get(userId).root.scrollIntoView({ behavior: "smooth", inline: "start" });
    return;
  }
  const user = state.users.get(userId);
  if (!user) return;
  const root = $("#column-template").content.firstElementChild.cloneNode(true);
  root.dataset.userId = userId;
  const column = { root, user, nodes: new Map(), typingTimer: null };
  state.columns.set(userId, column);
  $("#empty").hidden = true;
  $("#columns").append(root);
  updateHeader(column, user);
  $(".close", root).addEventListener("click", () => closeColumn(userId));
  $(".block", root).addEventListener("click", async () => {
    const body = await api(`/users/${userId}/${column.user.blocked ? "unblock" : "block"}`, { method: "POST" });
    state.users.set(userId, body.user);
    updateHeader(column, body.user);
    renderUsers();
  });
  $(".composer", root).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = composerInput(root);
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    hideMenu(column);
    sendText(userId, text);
  });
  $(".menu-button", root).addEventListener("click", () => toggleMenu(column));
  $(".file-doc", root).addEventListener("change", (event) => upload(column, event.target, "document"));
  $(".file-photo", root).addEventListener("change", (event) => upload(column, event.target, "photo"));
  saveOpen();
  const history = await api(`/chats/${userId}/history`);
  for (const item of history.messages) renderMessage(column, item.message, item.outgoing, item.edits > 0);
  setReplyKeyboard(column, history.reply_keyboard);
  scrollDown(column);
  composerInput(root).focus();
}

function closeColumn(userId) {
  const column = state.columns.get(userId);
  if (!column) return;
  column.root.remove();
  state.columns.delete(userId);
  $("#empty").hidden = state.columns.size > 0;
  saveOpen();
}

function scrollDown(column) {
  const box = $(".messages", column.root);
  box.scrollTop = box.scrollHeight;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function renderMessage(column, message, outgoing, edited) {
  const userId = column.user.id;
  const wrap = el("div", { class: `msg ${outgoing ? "in" : "out"}`, dataset: { messageId: message.message_id } });
  wrap.setAttribute("data-testid", outgoing ? "bot-message" : "user-message");
  const bubble = el("div", { class: "bubble" });
  if (message.photo) {
    const size = message.photo[message.photo.length - 1];
    bubble.append(el("img", { src: `${API}/files/${encodeURIComponent(size.file_id)}`, alt: "photo", loading: "lazy" }));
  }
  if (message.document) {
    const doc = message.document;
    const link = el("a", { href: `${API}/files/${encodeURIComponent(doc.file_id)}`, download: doc.file_name || "file", text: `📄 ${doc.file_name || "file"}` });
    bubble.append(el("div", { class: "file" }, link, el("span", { class: "size", text: formatSize(doc.file_size || 0) })));
  }
  if (message.contact) {
    bubble.append(document.createTextNode(`📞 ${message.contact.first_name}: ${message.contact.phone_number}`));
  }
  const text = message.text ?? message.caption ?? "";
  if (text) {
    const body = el("div", { class: "text" });
    body.append(renderText(text, message.entities || message.caption_entities, userId));
    bubble.append(body);
  }
  const date = new Date(message.date * 1000);
  // In the forum's time zone, like the clock at the top (not the browser's).
  const stamp = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: state.timeZone });
  bubble.append(el("span", { class: "stamp", text: edited || message.edit_date ? `edited ${stamp}` : stamp }));
  wrap.append(bubble);
  const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
  if (keyboard && keyboard.length) {
    const box = el("div", { class: "inline-keyboard" });
    for (const row of keyboard) {
      const line = el("div", { class: "row" });
      for (const button of row) {
        line.append(el("button", {
          type: "button",
          text: button.url ? `${button.text} ↗` : button.text,
          onclick: () => pressButton(column, message.message_id, button),
        }));
      }
      box.append(line);
    }
    wrap.append(box);
  }
  const existing = column.nodes.get(message.message_id);
  if (existing) existing.replaceWith(wrap);
  else $(".messages", column.root).append(wrap);
  column.nodes.set(message.message_id, wrap);
}

function setReplyKeyboard(column, markup) {
  const box = $(".reply-keyboard", column.root);
  box.replaceChildren();
  if (!markup || !markup.keyboard) { box.hidden = true; return; }
  for (const row of markup.keyboard) {
    const line = el("div", { class: "row" });
    for (const button of row) {
      line.append(el("button", {
        type: "button",
        text: button.text,
        onclick: async () => {
          if (button.request_contact) {
            const phone = prompt("Phone number to share", "+77010000000");
            if (phone) await api(`/users/${column.user.id}/contact`, { json: { phone_number: phone } });
          } else {
            await sendText(column.user.id, button.text);
          }
          if (markup.one_time_keyboard) setReplyKeyboard(column, null);
        },
      }));
    }
    box.append(line);
  }
  box.hidden = false;
}

function showToast(column, text, alertBox) {
  if (alertBox) { alert(text); return; }
  const toast = $(".toast", column.root);
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(column.toastTimer);
  column.toastTimer = setTimeout(() => { toast.hidden = true; }, 4000);
}

function showTyping(column) {
  const typing = $(".typing", column.root);
  typing.hidden = false;
  clearTimeout(column.typingTimer);
  column.typingTimer = setTimeout(() => { typing.hidden = true; }, 5000);
}

// ---------------------------------------------------------------- acting
async function sendText(userId, text) {
  const column = state.columns.get(userId);
  try {
    await api(`/users/${userId}/send`, { json: { text } });
  } catch (err) {
    if (column) showToast(column, err.message);
  }
}

async function pressButton(column, messageId, button) {
  if (button.url) { window.open(button.url, "_blank", "noopener"); return; }
  if (button.callback_data === undefined) { showToast(column, "This kind of button is not simulated"); return; }
  try {
    await api(`/users/${column.user.id}/press`, { json: { message_id: messageId, data: button.callback_data } });
  } catch (err) {
    showToast(column, err.message);
  }
}

function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function upload(column, input, kind) {
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  // JSON only (base64): the control API refuses form posts, which any web page could send.
  const json = {
    content_base64: await fileBase64(file),
    file_name: file.name,
    mime_type: file.type || null,
  };
  const caption = composerInput(column.root).value.trim();
  if (caption) { json.caption = caption; composerInput(column.root).value = ""; }
  try {
    await api(`/users/${column.user.id}/${kind}`, { json });
  } catch (err) {
    showToast(column, err.message);
  }
}

function hideMenu(column) { $(".menu", column.root).hidden = true; }

async function toggleMenu(column) {
  const menu = $(".menu", column.root);
  if (!menu.hidden) { menu.hidden = true; return; }
  const body = await api(`/users/${column.user.id}/commands`);
  menu.replaceChildren();
  if (!body.commands.length) menu.append(el("p", { class: "empty", text: "The bot registered no commands." }));
  for (const command of body.commands) {
    menu.append(el("button", {
      type: "button",
      onclick: () => { hideMenu(column); sendText(column.user.id, `/${command.command}`); },
    }, el("b", { text: `/${command.command}` }), document.createTextNode(command.description)));
  }
  menu.hidden = false;
}

// ---------------------------------------------------------------- events
function applyEvent(event) {
  if (event.kind === "user" || event.kind === "block" || event.kind === "unblock") {
    refreshUsers();
    return;
  }
  const column = state.columns.get(event.chat_id);
  if (!column) return;
  switch (event.kind) {
    case "message":
      renderMessage(column, event.message, event.actor === "bot", false);
      if (event.actor === "bot") {
        $(".typing", column.root).hidden = true;
        if (event.reply_keyboard) setReplyKeyboard(column, event.reply_keyboard.keyboard ? event.reply_keyboard : null);
      }
      scrollDown(column);
      break;
    case "edit":
      renderMessage(column, event.message, true, true);
      break;
    case "delete": {
      const node = column.nodes.get(event.message_id);
      if (node) { node.remove(); column.nodes.delete(event.message_id); }
      break;
    }
    case "chat_action":
      showTyping(column);
      break;
    case "callback_answer":
      if (event.text) showToast(column, event.text, event.show_alert);
      break;
    default:
      break;
  }
}

async function pollEvents() {
  for (;;) {
    try {
      const body = await api(`/events?after=${state.lastSeq}&timeout=25`);
      for (const event of body.events) {
        state.lastSeq = Math.max(state.lastSeq, event.seq);
        applyEvent(event);
      }
    } catch (err) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

// ---------------------------------------------------------------- clock
function showClock(clock) {
  const box = $("#clock");
  if (!clock) { box.hidden = true; return; }
  box.hidden = false;
  state.timeZone = clock.timezone;
  const local = clock.now_local.slice(0, 16).replace("T", " ");
  $("#clock-now").textContent = `Forum time ${local} (${clock.timezone})${clock.frozen ? " · frozen" : ""}`;
}

async function refreshClock() {
  try { showClock((await api("/clock")).clock); } catch (err) { showClock(null); }
}

async function setClock(event) {
  event.preventDefault();
  const at = $("#clock-at").value;
  if (!at) return;
  const body = await api("/clock", { json: { at, frozen: $("#clock-frozen").checked } });
  showClock(body.clock);
}

// ---------------------------------------------------------------- start
async function main() {
  $("#new-user").addEventListener("submit", createUser);
  $("#toggle-sidebar").addEventListener("click", () => $("#sidebar").classList.toggle("hidden-mobile"));
  $("#clock-form").addEventListener("submit", setClock);
  const overview = await api("/state");
  state.bot = overview.bot;
  state.lastSeq = overview.last_seq;
  $("#bot-name").textContent = overview.bot.first_name;
  document.title = `${overview.bot.first_name} — sandbox`;
  state.users = new Map(overview.users.map((u) => [u.id, u]));
  renderUsers();
  showClock(overview.clock);
  setInterval(refreshClock, 30000);
  pollEvents();
  let reopen = [];
  try { reopen = JSON.parse(localStorage.getItem("sandbox-open") || "[]"); } catch (err) { reopen = []; }
  for (const id of reopen) if (state.users.has(id)) await openColumn(id);
  if (state.columns.size === 0 && window.innerWidth <= 700) $("#sidebar").classList.remove("hidden-mobile");
}

main();
