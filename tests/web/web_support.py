"""What the web client's suites share: the whole chat stack (tests/chat's ChatStack), headless
Chromium sessions (Debian's chromium, chromium-driver and python3-selenium) and helpers that
read and drive the page as a person would. Test modules import the fixtures `stack` and
`browsers` from here (no conftest.py: the one in tests/chat is imported by chat_stack as
`conftest`)."""

import asyncio
import itertools
import json
import pathlib
import shutil
import sys
import threading
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "chat"))
from chat_stack import ChatStack, Client, stack_process  # noqa: E402,F401
from conftest import REPO  # noqa: E402

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402,F401
from selenium.webdriver.common.keys import Keys  # noqa: E402,F401
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PHONE = (390, 844)
DESKTOP = (1280, 800)
SCREENSHOTS = REPO / "web" / "screenshots"


def ulid(ms, n):
    """A ULID of time `ms` and random part `n` (ascending with both)."""
    value = (ms << 80) | n
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


@pytest.fixture
def stack(tmp_path):
    s = ChatStack(tmp_path)
    yield s
    s.stop()


@pytest.fixture
def browsers():
    """open(url, size=PHONE) -> a headless Chromium; all quit after the test."""
    opened = []

    def open_browser(url, size=PHONE):
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--disable-gpu", "--window-size=%d,%d" % size, "--lang=en-US"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        opened.append(driver)
        driver.get(url)
        return driver

    yield open_browser

    def close(d):
        try:
            d.quit()
        except Exception:  # one closed by the test already
            pass

    quitting = [threading.Thread(target=close, args=(d,)) for d in opened]
    for t in quitting:
        t.start()
    for t in quitting:
        t.join(30)


def wait(driver, predicate, what, seconds=10):
    return WebDriverWait(driver, seconds, poll_frequency=0.05).until(
        lambda d: predicate(d), message=what)


def status(driver):
    return driver.find_element(By.ID, "status").get_attribute("data-state")


def status_text(driver):
    return driver.find_element(By.ID, "status-text").text


def log_in(driver, username):
    field = driver.find_element(By.ID, "username")
    field.send_keys(username)
    field.send_keys(Keys.ENTER)  # the form's submit, from the keyboard


def connected(driver, username):
    log_in(driver, username)
    wait(driver, lambda d: status(d) == "connected", username + " connected")
    return driver


def shown(driver, selector):
    """The rendered text of each element (none when hidden), read in one script: the page
    replaces a message on its way by the stored one at any moment."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText);", selector)


def texts(driver):
    return shown(driver, "#message-list .text")


def senders(driver):
    return shown(driver, "#message-list .sender")


def say(driver, text):
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


# Read in one script each: the page replaces a message's chips when a reaction comes.
FIND = ("const li = [...document.querySelectorAll("
        "'#message-list .message:not(.pending, .stored)')]"
        ".find(li => li.querySelector('.text').textContent === arguments[0]);")


def react(driver, text, emoji):
    """Through the message's reaction button, then the emoji's."""
    driver.execute_script(FIND + "li.querySelector('.react-toggle').click();", text)
    driver.execute_script(FIND + "li.querySelector('.pick[data-emoji=\"' + arguments[1] + "
                          "'\"]').click();", text, emoji)


def title(driver):
    return driver.find_element(By.ID, "conversation-title").text


def inbox(driver):
    """The inbox as the page holds it: [(conversationId, name, unread)], top first (read from
    the DOM, so that it works in the conversation view of a phone too)."""
    return [tuple(x) for x in driver.execute_script(
        "return [...document.querySelectorAll('#conversation-list .conv')].map(b => ["
        "b.dataset.conversationId, b.querySelector('.conv-name').textContent,"
        "Number(b.querySelector('.badge').textContent || 0)]);")]


def unread(driver, name):
    return {n: u for _, n, u in inbox(driver)}.get(name)


def show_inbox(driver):
    """On a phone the inbox and the conversation take turns: the Back button shows the inbox."""
    back = driver.find_element(By.ID, "back")
    if back.is_displayed():
        back.click()


def open_conversation(driver, name):
    show_inbox(driver)
    wait(driver, lambda d: name in [n for _, n, _ in inbox(d)], "%s in the inbox" % name)
    for b in driver.find_elements(By.CSS_SELECTOR, "#conversation-list .conv"):
        if b.find_element(By.CSS_SELECTOR, ".conv-name").text == name:
            b.click()
            break
    wait(driver, lambda d: title(d) == name, "%s open" % name)


def create_conversation(driver, kind, members, name=""):
    """Through the page's form: a direct conversation with members[0], or a group."""
    show_inbox(driver)
    driver.find_element(By.ID, "new-toggle").click()
    driver.find_element(By.CSS_SELECTOR, "#new-form input[value=%s]" % kind).click()
    if kind == "direct":
        driver.find_element(By.ID, "new-user").send_keys(members[0])
    else:
        driver.find_element(By.ID, "new-name").send_keys(name)
        driver.find_element(By.ID, "new-members").send_keys(", ".join(members))
    driver.find_element(By.ID, "create").click()
    expected = members[0] if kind == "direct" else name
    wait(driver, lambda d: title(d) == expected, "the new conversation open")
    return driver.execute_script("return decodeURIComponent(location.hash.slice(1));")


class FakeServer:
    """A WebSocket server that answers getHistory with `frames` (a list of raw texts), and
    other actions with what `replies[action](frame)` returns (raw texts). `received` is every
    frame the page sent."""

    def __init__(self, frames, replies=None):
        import websockets
        self.frames, self.replies, self.received = frames, replies or {}, []
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def handler(ws, *_):
            async for text in ws:
                frame = json.loads(text)
                self.received.append(frame)
                action = frame.get("action")
                answer = self.frames if action == "getHistory" else \
                    self.replies[action](frame) if action in self.replies else []
                for f in answer:
                    await ws.send(f)

        async def main():
            self.server = await websockets.serve(handler, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()

        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(main(), self.loop)
        ready.wait(10)

    def close(self):
        self.loop.call_soon_threadsafe(self.server.close)


_request_ids = itertools.count(1)


class BackgroundClient:
    """tests/chat's Client for `username`, run on an event loop of its own thread while the
    test drives browsers; `frames` is every frame it received."""

    def __init__(self, stack, username):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.client = Client(stack, username)
        self._run(self.client.__aenter__())

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(15)

    @property
    def frames(self):
        return list(self.client.frames)

    def send(self, **frame):
        self._run(self.client.send(**frame))

    def request(self, action, seconds=10, **members):
        """Sends `action` with a requestId of its own; its reply frame."""
        rid = "bg%d" % next(_request_ids)
        self.send(action=action, requestId=rid, **members)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for f in self.frames:
                if f.get("requestId") == rid:
                    return f
            time.sleep(0.02)
        raise AssertionError("%s: no reply to %s in %r" % (self.client.username, action,
                                                           self.frames))

    def close(self):
        try:
            self._run(self.client.__aexit__(None, None, None))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
