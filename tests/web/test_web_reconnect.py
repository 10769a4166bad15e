"""The web client's connection in headless Chromium: after a kill -9 of the stack's gateway (the
launcher starts it again on its port) the pages reconnect by themselves, fetch what they
missed (more than a page) and go on sending and receiving, with nothing shown twice; and the
status indicator's states: connecting while the server does not answer, error when the
attempt fails or the server refuses the upgrade (as the authorizer refuses with 401), with the
backoff's next try, disconnected after a drop; five tries waiting 3, 6, 12, 24 and 48 s (timers
sped up), then the Reconnect button, which starts a new round."""

import functools
import http.server
import os
import signal
import socket
import threading
import time
import urllib.parse

from web_support import (REPO, By, browsers, connected, log_in, say, stack,  # noqa: F401
                         stack_process, status, status_text, texts, ulid, wait)


def test_after_a_gateway_restart_the_pages_reconnect_by_themselves_and_go_on(stack, browsers):
    alice = connected(browsers(stack.ready["web"]), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    say(alice, "before")
    wait(bob, lambda d: texts(d) == ["before"], "the first message")

    os.kill(stack_process(stack, "gateway"), signal.SIGKILL)
    for d in (alice, bob):
        wait(d, lambda d: status(d) == "disconnected", "the drop seen")
        assert "retrying in 3 s (1 of 5)" in status_text(d)
    # Stored while the pages are away (more than the newest page): they come after the
    # reconnect, the page following the cursor until it meets what it showed.
    now = int(time.time() * 1000)
    missed = ["missed %02d" % i for i in range(60)]
    for i, text in enumerate(missed):
        stack.put_message("lobby", ulid(now + i, i), "zed", text, now + i)
    # Written while away: it stays in the box, Send is off.
    say(alice, "written while away")
    assert alice.find_element(By.ID, "text").get_attribute("value") == "written while away"
    assert alice.find_element(By.ID, "send").get_attribute("disabled") is not None

    deadline = time.monotonic() + 20
    while "launch: gateway restarted" not in stack.log():
        assert time.monotonic() < deadline, stack.log()
        time.sleep(0.05)
    for d in (alice, bob):  # the first retry, 3 s after the drop, finds the new gateway
        wait(d, lambda d: status(d) == "connected", "connected again", seconds=15)
    for d in (alice, bob):
        wait(d, lambda d: texts(d) == ["before"] + missed, "what was missed, in order")
    alice.find_element(By.ID, "text").send_keys("\n")
    wait(bob, lambda d: texts(d)[-1:] == ["written while away"], "sent once back")
    say(bob, "and a reply")
    everything = ["before"] + missed + ["written while away", "and a reply"]
    wait(alice, lambda d: texts(d) == everything, "both ways again, nothing twice")
    assert texts(bob) == everything


class Static(http.server.ThreadingHTTPServer):
    """web/ on a free port (no config.js: the page takes its WebSocket URL from ?ws=)."""

    def __init__(self):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                    directory=str(REPO / "web"))
        handler.log_message = lambda *_: None
        super().__init__(("127.0.0.1", 0), handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, ws_port):
        return "http://127.0.0.1:%d/?%s" % (self.server_address[1], urllib.parse.urlencode(
            {"ws": "ws://127.0.0.1:%d/chat" % ws_port}))


class Upgrades:
    """A TCP server for the page's WebSocket: it holds each upgrade unanswered (`hold`), or
    answers 401 as API Gateway does for a $connect the authorizer denies."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.hold, self.held, self.requests = True, [], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.recv(65536)
            self.requests += 1
            if self.hold:
                self.held.append(conn)
                continue
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            conn.close()

    def refuse(self):
        self.hold = False
        for c in self.held:
            c.close()

    def close(self):
        self.refuse()
        self.sock.close()


def test_the_status_shows_connecting_then_error_with_the_next_try(browsers):
    web, upgrades = Static(), Upgrades()
    try:
        page = browsers(web.url(upgrades.port))
        assert status(page) == "disconnected" and status_text(page) == "Disconnected"
        log_in(page, "alice")
        wait(page, lambda d: upgrades.requests == 1, "the upgrade request")
        time.sleep(0.3)
        assert status(page) == "connecting" and status_text(page) == "Connecting…"
        # The dot pulses while connecting.
        assert page.execute_script(
            "return getComputedStyle(document.querySelector('#status .dot')).animationName;"
        ) == "pulse"
        upgrades.refuse()  # the held attempt fails: an error, and the next try in 3 s
        wait(page, lambda d: status(d) == "error", "the error state")
        assert "retrying in 3 s (1 of 5)" in status_text(page)
        failed = time.monotonic()
        wait(page, lambda d: "retrying in 6 s (2 of 5)" in status_text(d), "the 401 refusal",
             seconds=8)
        assert upgrades.requests == 2 and 2.5 < time.monotonic() - failed < 7
        assert status(page) == "error"
        assert page.find_element(By.ID, "send").get_attribute("disabled") is not None
    finally:
        upgrades.close()
        web.shutdown()


def test_five_tries_with_doubling_waits_then_the_reconnect_button(browsers):
    web, upgrades = Static(), Upgrades()
    upgrades.refuse()  # every upgrade answered 401
    try:
        page = browsers("about:blank")
        # The page's retry timers run 100 times faster; each delay asked for is recorded.
        page.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "window.retryDelays = []; const later = window.setTimeout;"
            "window.setTimeout = function (f, ms, ...a) {"
            " if (ms >= 1000) { window.retryDelays.push(ms); ms = ms / 100; }"
            " return later(f, ms, ...a); };")})
        page.get(web.url(upgrades.port))
        log_in(page, "alice")
        button = page.find_element(By.ID, "reconnect")
        wait(page, lambda d: button.is_displayed(), "the Reconnect button", seconds=15)
        assert page.execute_script("return window.retryDelays;") == [3000, 6000, 12000, 24000,
                                                                      48000]
        assert upgrades.requests == 6  # the first attempt and five tries
        assert status(page) == "error"
        assert status_text(page) == "Disconnected: the chat cannot be reached"
        button.click()  # a fresh round of five tries, at once
        wait(page, lambda d: upgrades.requests > 6, "the attempt the button starts")
        wait(page, lambda d: button.is_displayed() and upgrades.requests == 12, "a new round",
             seconds=15)
        assert page.execute_script("return window.retryDelays;")[5:] == [3000, 6000, 12000,
                                                                          24000, 48000]
    finally:
        upgrades.close()
        web.shutdown()
