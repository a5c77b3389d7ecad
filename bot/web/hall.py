"""The hall screen on the bot's web server: a page for the room's projector, live over SSE.

    GET /hall/{session}?key=K[&lang=ru][&rotate=20]   the page (403 without the right key)
    GET /hall/{session}/events?key=K                  server-sent events: the model as JSON
    GET /hall/{session}/qr.png?key=K                  the QR code of ``ask_<session>``

The key is the session's :func:`bot.services.hall.screen_key`; organizers get the link with
``/screen``. Every event carries the model in the three languages, so the page can switch
language on a schedule without reconnecting. The page writes text with ``textContent`` only:
a question's text is never parsed as HTML. A burst of votes is coalesced: at most one event
per ``MIN_GAP`` seconds, well inside the 2 seconds the screen promises.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp_sse import sse_response

from bot.i18n import LANGUAGES
from bot.services import hall
from bot.services.qr import deep_link, qr_png

if TYPE_CHECKING:
    from bot.context import Services

MIN_GAP = 0.25  # seconds between two events of one stream
KEEPALIVE = 15.0  # seconds without a change before the state is sent again


def routes(services: Services, username: Callable[[], str | None]) -> list[web.RouteDef]:
    """The hall screen's routes; ``username`` gives the bot's @username once it is known."""

    def check(request: web.Request) -> str:
        session_id = request.match_info["session"]
        if services.content.session(session_id) is None:
            raise web.HTTPNotFound(text="no such session")
        if not hall.key_matches(services, session_id, request.query.get("key")):
            raise web.HTTPForbidden(text="forbidden: this link needs the key from /screen")
        return session_id

    async def page(request: web.Request) -> web.Response:
        session_id = check(request)
        lang = request.query.get("lang") or services.settings.default_language
        if lang not in LANGUAGES:
            lang = services.settings.default_language
        try:
            rotate = max(0, min(int(request.query.get("rotate", "0")), 3600))
        except ValueError:
            rotate = 0
        session = services.content.session(session_id)
        assert session is not None
        body = PAGE.replace("{{title}}", html.escape(session.title.get(lang)))
        config = {"lang": lang, "rotate": rotate, "key": request.query["key"]}
        # JSON inside <script>: "</" and "<!--" must not end or open anything.
        script_json = json.dumps(config).replace("<", "\\u003c")
        body = body.replace("{{config}}", script_json)
        return web.Response(
            text=body,
            content_type="text/html",
            headers={
                "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                "script-src 'unsafe-inline'; img-src 'self'",
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def events(request: web.Request) -> web.StreamResponse:
        session_id = check(request)
        hub = hall.hub(services)
        # nginx buffers responses unless told not to: events must reach the screen at once.
        async with sse_response(request, headers={"X-Accel-Buffering": "no"}) as stream:
            seen, sent_at = -1, 0.0
            while stream.is_connected():
                version = hub.version(session_id)
                if version == seen:
                    version = await hub.wait(session_id, seen, KEEPALIVE)
                gap = MIN_GAP - (time.monotonic() - sent_at)
                if gap > 0:  # coalesce a burst: the next model includes what came meanwhile
                    await asyncio.sleep(gap)
                    version = hub.version(session_id)
                models = {
                    lang: await hall.hall_model(services, session_id, lang) for lang in LANGUAGES
                }
                try:
                    await stream.send(json.dumps({"version": version, "models": models}))
                except ConnectionResetError:  # the screen went away (closed, reloaded)
                    break
                seen, sent_at = version, time.monotonic()
        return stream

    async def qr(request: web.Request) -> web.Response:
        session_id = check(request)
        name = username()
        if not name:
            raise web.HTTPServiceUnavailable(text="the bot's username is not known yet")
        link = deep_link(name, "ask", session_id)
        data = await asyncio.to_thread(qr_png, link)
        return web.Response(body=data, content_type="image/png")

    return [
        web.get("/hall/{session}", page),
        web.get("/hall/{session}/events", events),
        web.get("/hall/{session}/qr.png", qr),
    ]


def model_json(model: dict[str, Any]) -> str:
    """A model as the events carry it (tests and the benchmark decode the same)."""
    return json.dumps(model, ensure_ascii=False)


PAGE = """<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
  :root { --bg: #000; --fg: #fff; --dim: #c8c8c8; --accent: #ffd400; --bar: #2f9bff; }
  * { box-sizing: border-box; }
  html, body { margin: 0; background: var(--bg); color: var(--fg);
    font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; }
  body { display: grid; grid-template-columns: 1fr 30vw; gap: 3vw; padding: 2.5vw 3vw;
    min-height: 100vh; font-size: 2.4vw; line-height: 1.25; }
  h1 { font-size: 2.8vw; margin: 0 0 .3em; }
  .meta { color: var(--dim); font-size: 1.8vw; margin-bottom: 1.2em; }
  h2 { font-size: 2.2vw; color: var(--accent); margin: 1em 0 .5em; text-transform: uppercase; }
  ol { list-style: none; margin: 0; padding: 0; }
  li { display: flex; gap: 1em; align-items: baseline; padding: .3em .6em; margin: .2em 0;
    border-left: .3em solid transparent; }
  li.now { border-left-color: var(--accent); background: #222; }
  .votes { min-width: 2.2em; font-weight: bold; color: var(--accent); text-align: right;
    font-size: 1.3em; }
  .text { flex: 1; overflow-wrap: anywhere; }
  .name { color: var(--dim); font-size: .75em; }
  .tag { color: #000; background: var(--accent); font-size: .6em; padding: .1em .4em;
    margin-right: .4em; font-weight: bold; }
  .empty { color: var(--dim); }
  aside { text-align: center; }
  aside img { width: 70%; background: #fff; padding: .8vw; }
  body.polling aside img { width: 45%; }
  #poll { text-align: left; margin-top: 1em; }
  #pquestion { font-size: 1.8vw; font-weight: bold; }
  .ask { font-size: 2.2vw; font-weight: bold; margin-top: .5em; }
  .opt { margin: .4em 0; text-align: left; font-size: 1.5vw; }
  .track { background: #333; height: 1.4vw; margin-top: .2em; }
  .fill { background: var(--bar); height: 100%; transition: width .4s; }
</style>
</head>
<body>
<main>
  <h1 id="title">{{title}}</h1>
  <div class="meta" id="meta"></div>
  <h2 id="qhead"></h2>
  <ol id="questions"></ol>
</main>
<aside>
  <img id="qr" alt="QR">
  <div class="ask" id="ask"></div>
  <section id="poll" hidden>
    <h2 id="phead"></h2>
    <div id="pquestion"></div>
    <div id="options"></div>
  </section>
</aside>
<script>
"use strict";
const config = {{config}};
const session = location.pathname.split("/")[2];
const key = encodeURIComponent(config.key);
const order = ["kk", "ru", "en"];
let lang = config.lang, models = null;
document.getElementById("qr").src = "/hall/" + session + "/qr.png?key=" + key;

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function render() {
  if (!models) return;
  const m = models[lang];
  document.documentElement.lang = lang;
  document.title = m.title;
  document.getElementById("title").textContent = m.title;
  document.getElementById("meta").textContent = m.time + " · " + m.room;
  document.getElementById("qhead").textContent = m.labels.questions;
  document.getElementById("ask").textContent = m.labels.ask;
  const list = document.getElementById("questions");
  const items = m.questions.map(function (q) {
    const li = el("li", q.now ? "now" : "");
    li.dataset.id = q.id;
    li.appendChild(el("span", "votes", q.votes));
    const text = el("span", "text");
    if (q.now) text.appendChild(el("span", "tag", m.labels.answering));
    text.appendChild(document.createTextNode(q.text));
    if (q.name) { text.appendChild(el("br")); text.appendChild(el("span", "name", q.name)); }
    li.appendChild(text);
    return li;
  });
  if (!items.length) items.push(el("li", "empty", m.labels.empty));
  list.replaceChildren.apply(list, items);
  const poll = document.getElementById("poll");
  poll.hidden = !m.poll;
  document.body.classList.toggle("polling", !!m.poll);
  if (m.poll) {
    document.getElementById("phead").textContent =
      m.poll.status === "open" ? m.labels.poll : m.labels.closed;
    document.getElementById("pquestion").textContent = m.poll.question;
    const options = m.poll.options.map(function (o) {
      const row = el("div", "opt");
      row.appendChild(el("div", "", o.text + " — " + o.count + " (" +
        Math.round(o.share * 100) + "%)"));
      const track = el("div", "track"), fill = el("div", "fill");
      fill.style.width = (o.share * 100).toFixed(1) + "%";
      track.appendChild(fill);
      row.appendChild(track);
      return row;
    });
    const box = document.getElementById("options");
    box.replaceChildren.apply(box, options);
  }
}

const source = new EventSource("/hall/" + session + "/events?key=" + key);
source.onmessage = function (event) {
  const data = JSON.parse(event.data);
  models = data.models;
  document.body.dataset.version = data.version;
  render();
};
if (config.rotate > 0) {
  setInterval(function () {
    lang = order[(order.indexOf(lang) + 1) % order.length];
    render();
  }, config.rotate * 1000);
}
</script>
</body>
</html>
"""
