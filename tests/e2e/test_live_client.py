"""static/js/live.js itself, in Chromium, fed frames out of order and twice through a real socket.

A small websockets server in this process serves a page that loads the real live.js and the
socket it connects to, and sends a script of frames: a snapshot, numbers crossed and repeated,
then a gap that only the client's own resume fills. The page lists what live.js handed on.
"""

import asyncio
import json
import threading
from http import HTTPStatus
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import free_port

pytestmark = pytest.mark.browser

LIVE_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "live.js"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>live.js</title></head>
<body><main><h1>live.js</h1><p data-live-state></p><ol id="log"></ol></main>
<script src="/live.js"></script>
<script>
  ConfideLive.connect("/ws/script/", {
    gapWait: 500,
    checkEvery: 600000,
    stateElements: [document.querySelector("[data-live-state]")],
    onMessage: function (m) {
      var li = document.createElement("li");
      li.textContent = m.type + ":" + m.seq + (m.text ? ":" + m.text : "");
      document.getElementById("log").appendChild(li);
    },
  });
</script></body></html>
"""


def chat(seq, text):
    return json.dumps({"type": "chat.message", "seq": seq, "text": text})


class ScriptServer:
    """Serves the page, live.js and one socket that plays the frames below."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self):
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.serve())

    async def serve(self):
        from websockets.asyncio.server import serve
        from websockets.datastructures import Headers
        from websockets.http11 import Response

        def page(connection, request):
            if request.path.startswith("/ws/"):
                return None
            if request.path == "/live.js":
                body, kind = LIVE_JS.read_bytes(), "text/javascript"
            else:
                body, kind = PAGE.encode(), "text/html; charset=utf-8"
            headers = Headers([("Content-Type", kind), ("Content-Length", str(len(body)))])
            return Response(HTTPStatus.OK, "OK", headers, body)

        self.stop_event = asyncio.Event()
        async with serve(self.play, "127.0.0.1", self.port, process_request=page):
            self.ready.set()
            await self.stop_event.wait()

    async def play(self, socket):
        await socket.send(json.dumps({"type": "snapshot", "seq": 10}))
        # 12 overtakes 11 (two processes' bells crossed); both come twice; 13 is lost.
        for frame in (chat(12, "b"), chat(11, "a"), chat(11, "a"), chat(12, "b"), chat(14, "d")):
            await socket.send(frame)
        await socket.send(json.dumps({"type": "presence", "joined": [], "left": [7]}))
        async for raw in socket:
            message = json.loads(raw)
            self.received.append(message)
            if message == {"type": "resume", "last_seq": 12}:
                await socket.send(chat(13, "c"))
                await socket.send(chat(14, "d"))

    def stop(self):
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(10)


@pytest.fixture
def script_server():
    server = ScriptServer().start()
    yield server
    server.stop()


def test_live_js_hands_on_numbers_in_order_once_and_asks_only_for_a_real_gap(
    chromium, script_server
):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{script_server.port}/")
        expect(page.locator("#log li")).to_have_text(
            [
                "snapshot:10",
                "chat.message:11:a",
                "chat.message:12:b",
                "presence:undefined",
                "chat.message:13:c",
                "chat.message:14:d",
            ]
        )
        # The crossing of 11 and 12 was put right without asking; only the lost 13 was asked
        # for, from the last number handed on.
        assert script_server.received
        assert all(m == {"type": "resume", "last_seq": 12} for m in script_server.received)
    finally:
        context.close()
