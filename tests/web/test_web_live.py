"""What the web client shows live, in headless Chromium against the whole stack: a read receipt
("Seen by") and reactions (added, then removed by a repeat react, as the backend toggles) in
the other browser, the typing indicator (sent at most every 3 s, shown for about 5 s) and
presence dots that go offline when the other person closes their page, and that a page opening
later asks who is online."""

import time

from web_support import (FIND, BackgroundClient, By, browsers, connected,  # noqa: F401
                         create_conversation, open_conversation, react, say, stack, texts, wait)


def seen(driver, text):
    """The "Seen by" line under a message (None while the message is not shown)."""
    return driver.execute_script(FIND + "return li ? li.querySelector('.seen').textContent "
                                 ": null;", text)


def chips(driver, text):
    """{emoji: (count, pressed, who)} of a message's reactions."""
    found = driver.execute_script(
        FIND + "return li ? [...li.querySelectorAll('.chip')].map(c => [c.dataset.emoji, "
        "c.textContent, c.getAttribute('aria-pressed'), c.title]) : null;", text)
    if found is None:
        return None
    out = {}
    for emoji, label, pressed, who in found:
        shown, count = label.rsplit(" ", 1)
        assert shown == emoji
        out[emoji] = (int(count), pressed == "true", who)
    return out


def presence(driver, user):
    """The state of `user`'s dot in the conversation's header, read in one script (the header is
    drawn again as presence changes)."""
    return driver.execute_script(
        "const d = [...document.querySelectorAll('#conversation-members .presence')]"
        ".find(e => e.dataset.user === arguments[0]); return d ? d.dataset.online : null;", user)


def test_a_read_receipt_and_reactions_reach_the_other_browser(stack, browsers):
    alice = connected(browsers(stack.ready["web"]), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    create_conversation(alice, "direct", ["bob"])
    say(alice, "first")
    say(alice, "ping")
    wait(alice, lambda d: texts(d) == ["first", "ping"], "alice's messages")
    wait(alice, lambda d: seen(d, "ping") == "", "stored, unseen (no longer on its way)")
    open_conversation(bob, "alice")  # bob sees them: markRead of the newest
    wait(alice, lambda d: seen(d, "ping") == "Seen by bob", "the receipt under the newest")
    assert seen(alice, "first") == ""  # one line per reader, under the last message read
    assert seen(bob, "ping") == ""  # not on the reader's side: they are not bob's messages

    react(bob, "ping", "👍")
    for d, mine in ((alice, False), (bob, True)):
        wait(d, lambda d: chips(d, "ping") == {"👍": (1, mine, "bob")}, "bob's reaction")
    react(alice, "ping", "👍")
    react(alice, "ping", "🎉")
    wait(bob, lambda d: chips(d, "ping") == {"👍": (2, True, "alice, bob"),
                                             "🎉": (1, False, "alice")}, "two reactions")
    # A repeat react takes it back (the backend answers added: false): the chip toggles.
    bob.execute_script(FIND + "li.querySelector('.chip[data-emoji=\"👍\"]').click();", "ping")
    for d in (alice, bob):
        wait(d, lambda d: chips(d, "ping") == {"👍": (1, d is alice, "alice"),
                                               "🎉": (1, d is alice, "alice")}, "bob's removed")
    assert chips(alice, "first") == {}
    # bob's reply is unseen until alice is back on it: then "Seen by alice" on bob's side.
    say(bob, "pong")
    wait(bob, lambda d: seen(d, "pong") == "Seen by alice", "alice has it open: read at once")


def test_typing_and_presence(stack, browsers):
    alice = connected(browsers(stack.ready["web"]), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    dm = create_conversation(alice, "direct", ["bob"])
    say(alice, "are you there?")
    open_conversation(bob, "alice")
    # bob connected after alice: his presence reached her; hers is known to him from her
    # messages (a page that opens later hears only of changes).
    wait(alice, lambda d: presence(d, "bob") == "online", "bob online for alice")
    wait(bob, lambda d: presence(d, "alice") == "online", "alice online for bob")
    carl = BackgroundClient(stack, "carl")  # another user: no typing frame of this conversation
    try:
        # The typing frames bob's page sends, with the time of each (ms, the machine's clock).
        bob.execute_script(
            "window.typingAt = []; const send = WebSocket.prototype.send;"
            "WebSocket.prototype.send = function (d) {"
            " if (JSON.parse(d).action === 'typing') window.typingAt.push(Date.now());"
            " return send.call(this, d); };")
        typing_at = lambda: bob.execute_script("return window.typingAt;")  # noqa: E731
        box = bob.find_element(By.ID, "text")
        typed_from = time.time() * 1000
        box.send_keys("I am wri")
        typing = alice.find_element(By.ID, "typing")
        wait(alice, lambda d: typing.text == "bob is typing…", "the indicator")
        # The inbox says so too (hidden behind the conversation on a phone: its text).
        assert alice.execute_script(
            "return document.querySelector('#conversation-list .conv[data-conversation-id=\"'"
            " + arguments[0] + '\"] .conv-last').textContent;", dm) == "bob is typing…"
        box.send_keys("ting")
        typed_to = time.time() * 1000
        # One frame at the first key, then at most one every 3 s while the keys go on.
        sent = typing_at()
        assert sent and sent[0] - typed_from < 1000, (typed_from, sent)
        assert all(b - a >= 3000 for a, b in zip(sent, sent[1:])), sent
        assert len(sent) <= 1 + (typed_to - typed_from) // 3000, sent
        wait(alice, lambda d: typing.text == "", "the indicator gone", seconds=10)
        # ~5 s after the last frame (less the frame's way to alice's page).
        assert 4000 < time.time() * 1000 - typing_at()[-1] < 7500
        assert not [f for f in carl.frames if f.get("type") == "typing"], carl.frames
        # A message ends it at once.
        box.send_keys(" more")
        wait(alice, lambda d: typing.text == "bob is typing…", "typing again")
        assert len(typing_at()) == len(sent) + 1
        box.send_keys("\n")
        wait(alice, lambda d: texts(d)[-1:] == ["I am writing more"], "bob's message")
        assert typing.text == ""
    finally:
        carl.close()
    # bob closes his page: his last connection's $disconnect takes his presence away.
    bob.quit()
    wait(alice, lambda d: presence(d, "bob") == "offline", "bob offline", seconds=15)
    assert alice.execute_script(
        "const d = document.querySelector('#conversation-list .conv[data-conversation-id=\"'"
        " + arguments[0] + '\"] .presence'); return d && d.dataset.online;", dm) == "offline"


def test_a_page_that_opens_later_learns_who_is_online(stack, browsers):
    # carol is online and made a group with alice and dave (never connected) before alice's
    # page opened: no presence change reaches the page, it has to ask (getPresence).
    carol = BackgroundClient(stack, "carol")
    try:
        carol.send(action="createConversation", kind="group", name="plans",
                   members=["alice", "dave"], requestId="g1")
        deadline = time.time() + 10
        while not [f for f in carol.frames if f.get("requestId") == "g1"]:
            assert time.time() < deadline, carol.frames
            time.sleep(0.05)
        alice = connected(browsers(stack.ready["web"]), "alice")
        open_conversation(alice, "plans")
        wait(alice, lambda d: presence(d, "carol") == "online", "carol online for alice")
        assert presence(alice, "dave") == "offline"
    finally:
        carol.close()
    wait(alice, lambda d: presence(d, "carol") == "offline", "carol offline", seconds=15)
