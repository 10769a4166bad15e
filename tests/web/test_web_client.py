"""The web client (web/) in headless Chromium against the whole chat stack, the page served by
the launcher (its `ready: web` line): chatting both ways, the history for a later visitor and
on scrolling up, markup shown as text, the username checked in the page, the status indicator.
Debian's chromium, chromium-driver and python3-selenium; binaries as tests/chat reads them."""

import json
import urllib.parse
import urllib.request

from web_support import (By, FakeServer, browsers, connected, log_in, say, senders,  # noqa: F401
                         stack, status, texts, ulid, wait)


def test_the_launcher_serves_the_page_and_its_config(stack):
    base = stack.ready["web"]
    assert base.startswith("http://127.0.0.1:")
    page = urllib.request.urlopen(base).read().decode()
    assert '<script src="app.js"></script>' in page
    config = urllib.request.urlopen(base + "config.js").read().decode()
    assert json.dumps(stack.ws_url) in config


def test_two_browsers_chat_both_ways_and_a_later_one_sees_the_history(stack, browsers):
    alice = connected(browsers(stack.ready["web"]), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    say(alice, "hello bob")
    for d in (alice, bob):
        wait(d, lambda d: texts(d) == ["hello bob"], "alice's message shown once")
    assert not bob.find_element(By.ID, "login").is_displayed()
    say(bob, "hi alice")
    for d in (alice, bob):
        wait(d, lambda d: texts(d) == ["hello bob", "hi alice"], "bob's reply shown")
    assert senders(alice) == ["alice", "bob"]
    # Colours per username: stable, and the two differ (FNV-1a mod 8 of "alice" and "bob").
    classes = [e.get_attribute("class")
               for e in alice.find_elements(By.CSS_SELECTOR, "#message-list .sender")]
    assert classes == [e.get_attribute("class")
                       for e in bob.find_elements(By.CSS_SELECTOR, "#message-list .sender")]
    assert classes[0] != classes[1]
    assert alice.find_element(By.ID, "counter").text == "0 / 1000"

    carol = connected(browsers(stack.ready["web"]), "carol")
    wait(carol, lambda d: texts(d) == ["hello bob", "hi alice"], "the history for carol")
    say(carol, "late")
    wait(alice, lambda d: texts(d)[-1:] == ["late"], "carol's message reaches alice")


def test_older_pages_load_on_scrolling_up(stack, browsers):
    base = 1764590400000
    for i in range(120):
        stack.put_message("lobby", ulid(base + i, i), "zed", "old %03d" % i, base + i)
    alice = connected(browsers(stack.ready["web"]), "alice")
    wait(alice, lambda d: len(texts(d)) == 50, "the first page")
    assert texts(alice)[-1] == "old 119"  # the newest at the bottom, the view there
    assert not alice.find_element(By.ID, "jump").is_displayed()
    assert alice.execute_script(
        "const m = document.getElementById('messages');"
        "return m.scrollHeight - m.scrollTop - m.clientHeight < 40;")
    for expected in (100, 120):
        alice.execute_script("document.getElementById('messages').scrollTop = 0;")
        wait(alice, lambda d: len(texts(d)) == expected, "%d messages" % expected)
    assert texts(alice) == ["old %03d" % i for i in range(120)]
    wait(alice, lambda d: d.find_element(By.ID, "history-state").text ==
         "Start of the conversation", "the last page")


def test_markup_is_text_and_bad_usernames_are_refused_in_the_page(stack, browsers):
    mallory = browsers(stack.ready["web"])
    for bad, problem in (("<b>x</b>", "Only letters"), ("x", "2 to 20"),
                         (" alice", "start or end")):
        field = mallory.find_element(By.ID, "username")
        field.clear()
        log_in(mallory, bad)
        wait(mallory, lambda d: problem in d.find_element(By.ID, "username-error").text, bad)
        assert status(mallory) == "disconnected"
        assert mallory.find_element(By.ID, "chat").is_displayed() is False
    mallory.find_element(By.ID, "username").clear()
    connected(mallory, "mallory")
    alice = connected(browsers(stack.ready["web"]), "alice")
    markup = '<img src=x onerror="window.pwned=1"><b>bold</b> & <script>window.pwned=2</script>'
    say(mallory, markup)
    for d in (alice, mallory):
        wait(d, lambda d: texts(d) == [markup], "the markup as text")
        assert d.find_elements(By.CSS_SELECTOR, "#message-list img, #message-list b, "
                                                "#message-list script") == []
        assert d.execute_script("return window.pwned === undefined;")


def test_the_status_shows_connected_then_disconnected_when_the_stack_stops(stack, browsers):
    alice = browsers(stack.ready["web"])
    assert status(alice) == "disconnected"
    connected(alice, "alice")
    assert alice.find_element(By.ID, "status-text").text == "Connected"
    assert alice.find_element(By.ID, "me").text == "alice"
    stack.stop()
    wait(alice, lambda d: status(d) == "disconnected", "disconnected", seconds=15)
    assert "retrying in 3 s" in alice.find_element(By.ID, "status-text").text
    assert alice.find_element(By.ID, "send").get_attribute("disabled") is not None


def test_frames_that_fail_validation_are_dropped_with_a_warning(stack, browsers):
    good = {"type": "message", "conversationId": "lobby", "messageId": ulid(1764590400000, 1),
            "sender": "zed", "text": "valid", "createdAt": 1764590400000}
    fake = FakeServer([
        "not json",
        json.dumps(dict(good, messageId="not-a-ulid", text="bad id")),
        json.dumps(dict(good, text=["not", "a", "string"])),
        json.dumps({"type": "history", "conversationId": "lobby", "messages": [{"bad": 1}]}),
        json.dumps(good),
        json.dumps(good),  # a second delivery of the same messageId
    ])
    try:
        url = stack.ready["web"] + "?" + urllib.parse.urlencode(
            {"ws": "ws://127.0.0.1:%d/chat" % fake.port})
        alice = connected(browsers(url), "alice")
        wait(alice, lambda d: texts(d) == ["valid"], "the valid message, once")
        warnings = [e["message"] for e in alice.get_log("browser")
                    if "dropped" in e["message"]]
        assert len(warnings) == 4, warnings
    finally:
        fake.close()


def test_a_message_shows_at_once_while_it_goes_and_comes_back_to_the_box_when_refused(
        stack, browsers):
    """Against a server that stores nothing: the message is shown greyed ("Sending…") until an
    answer; an error for it takes it away, puts the text back and says why."""
    held = []

    def refuse_the_second(frame):
        held.append(frame)
        if len(held) == 1:
            return []  # no ack: it stays on its way
        return [json.dumps({"type": "error", "code": "NotAParticipant",
                            "message": "not a participant of \"lobby\"",
                            "requestId": frame["requestId"]})]

    fake = FakeServer([json.dumps({"type": "history", "conversationId": "lobby",
                                   "messages": [], "cursor": None})],
                      {"sendMessage": refuse_the_second})
    try:
        url = stack.ready["web"] + "?" + urllib.parse.urlencode(
            {"ws": "ws://127.0.0.1:%d/chat" % fake.port})
        alice = connected(browsers(url), "alice")
        say(alice, "on its way")
        wait(alice, lambda d: texts(d) == ["on its way"], "shown at once")
        item = alice.find_element(By.CSS_SELECTOR, "#message-list .message")
        assert "pending" in item.get_attribute("class")
        assert item.find_element(By.CSS_SELECTOR, "time").text == "Sending…"
        assert held[0]["requestId"] and held[0]["clientMessageId"]
        say(alice, "refused")
        wait(alice, lambda d: d.find_element(By.ID, "send-error").text ==
             'Not sent: not a participant of "lobby"', "the reason")
        assert texts(alice) == ["on its way"]
        assert alice.find_element(By.ID, "text").get_attribute("value") == "refused"
    finally:
        fake.close()
