"""The web client's inbox and conversations in headless Chromium against the whole stack: a
direct conversation made in the page reaches its member only (not a third browser, not another
user's WebSocket), unread counts appear in the inbox and clear when the conversation is opened,
groups, switching conversations (each with its own history and scroll position), the inbox's
order and its pages, and a reload that keeps the user and the open conversation."""

import time

from web_support import (BackgroundClient, By, Keys, browsers, connected,  # noqa: F401
                         create_conversation, inbox, open_conversation, say, show_inbox, stack,
                         status, texts, title, ulid, unread, wait)


def server_unread(stack, user, cid):
    """The unread count the backend's inbox gives `user` for `cid`, asked on a connection of
    its own (the count is made from what the user marked read: see schemas/chat-table.md)."""
    client = BackgroundClient(stack, user)
    try:
        page = client.request("listConversations", limit=100)
    finally:
        client.close()
    return {i["conversationId"]: i["unread"] for i in page["items"]}.get(cid)


def test_a_direct_conversation_reaches_its_member_only_and_unread_clears_when_opened(
        stack, browsers):
    alice = connected(browsers(stack.ready["web"]), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    carol = connected(browsers(stack.ready["web"]), "carol")
    dave = BackgroundClient(stack, "dave")
    try:
        dm = create_conversation(alice, "direct", ["bob"])
        assert dm.startswith("dm-")
        assert alice.find_element(By.ID, "conversation-members").text.startswith("alice (you)")
        say(alice, "psst bob")
        say(alice, "meet at noon")
        wait(alice, lambda d: texts(d) == ["psst bob", "meet at noon"], "alice's own copy")
        # bob stays in the lobby: the conversation appears in his inbox, two unread.
        wait(bob, lambda d: unread(d, "alice") == 2, "two unread for bob")
        assert title(bob) == "Lobby" and texts(bob) == []
        assert bob.title == "(2) Chat"
        assert server_unread(stack, "bob", dm) == 2
        # Nobody else hears of it: not carol's page, not dave's connection.
        open_conversation(alice, "Lobby")
        say(alice, "lobby after")
        for d in (bob, carol):
            wait(d, lambda d: texts(d) == ["lobby after"], "the lobby message")
        assert [n for _, n, _ in inbox(carol)] == ["Lobby"]
        assert "psst" not in carol.page_source and "noon" not in carol.page_source
        time.sleep(0.3)  # dave's connection has had the lobby message's time too
        assert any(f.get("text") == "lobby after" for f in dave.frames), dave.frames
        assert not [f for f in dave.frames if f.get("conversationId") == dm or
                    "psst" in str(f)], dave.frames
        # carol cannot open it by its address either.
        carol.execute_script("location.hash = arguments[0];", dm)
        wait(carol, lambda d: "not a participant" in
             d.find_element(By.ID, "history-state").text, "carol refused")
        assert texts(carol) == []
        assert carol.find_element(By.ID, "send").get_attribute("disabled") is not None

        # bob opens it: the messages, and the count cleared in the page and in the table.
        open_conversation(bob, "alice")
        wait(bob, lambda d: texts(d) == ["psst bob", "meet at noon"], "the direct history")
        wait(bob, lambda d: unread(d, "alice") == 0, "the badge cleared")
        deadline = time.monotonic() + 10
        while server_unread(stack, "bob", dm) != 0:
            assert time.monotonic() < deadline, "markRead did not reach the table"
            time.sleep(0.05)
        # alice's reply while bob looks at it stays read; one in the lobby counts for bob.
        open_conversation(alice, "bob")
        say(alice, "you there?")
        wait(bob, lambda d: texts(d)[-1:] == ["you there?"], "live in the open conversation")
        assert unread(bob, "alice") == 0
        open_conversation(alice, "Lobby")
        say(alice, "in the lobby")
        wait(bob, lambda d: unread(d, "Lobby") == 1, "one unread in the lobby")
        # bob's page hidden (another tab in front): what comes stays unread until it shows.
        bob.execute_script(
            "window.hidden = true; Object.defineProperty(document, 'visibilityState', "
            "{configurable: true, get: () => window.hidden ? 'hidden' : 'visible'});"
            "document.dispatchEvent(new Event('visibilitychange'));")
        open_conversation(alice, "bob")
        say(alice, "are you away?")
        wait(bob, lambda d: texts(d)[-1:] == ["are you away?"], "shown, not read")
        wait(bob, lambda d: unread(d, "alice") == 1 and d.title == "(2) Chat", "one more")
        assert server_unread(stack, "bob", dm) == 1
        bob.execute_script("window.hidden = false;"
                           "document.dispatchEvent(new Event('visibilitychange'));")
        wait(bob, lambda d: unread(d, "alice") == 0 and d.title == "(1) Chat", "read on showing")
        deadline = time.monotonic() + 10
        while server_unread(stack, "bob", dm) != 0:
            assert time.monotonic() < deadline, "markRead did not reach the table"
            time.sleep(0.05)
    finally:
        dave.close()


def test_groups_switching_inbox_order_and_a_reload(stack, browsers):
    base = 1764590400000
    for i in range(120):  # lobby history, to scroll in
        stack.put_message("lobby", ulid(base + i, i), "zed", "old %03d" % i, base + i)
    for i in range(23):  # alice's older conversations: two pages of the inbox
        stack.put_conversation("grp-" + ulid(base, 1000 + i), "group", ["alice", "zed"],
                               "old group %02d" % i)
    alice = connected(browsers(stack.ready["web"]), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    wait(alice, lambda d: len(inbox(d)) == 21, "the lobby and the first page of 20")
    more = alice.find_element(By.ID, "more-conversations")
    show_inbox(alice)  # on a phone the Back button shows the inbox
    more.click()
    wait(alice, lambda d: len(inbox(d)) == 24, "the second page")
    assert not more.is_displayed()

    # The group from the keyboard alone: Enter on "+ New", the form's fields in Tab order.
    focused = lambda d: d.execute_script("return document.activeElement.id;")  # noqa: E731
    new = alice.find_element(By.ID, "new-toggle")
    new.send_keys(Keys.ENTER)
    wait(alice, lambda d: focused(d) == "new-user", "the form open, its field focused")
    assert new.get_attribute("aria-expanded") == "true"
    assert alice.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle;") == "solid"
    kinds = alice.find_elements(By.CSS_SELECTOR, "#new-form input[name=kind]")
    kinds[0].send_keys(Keys.ARROW_RIGHT)  # the radio group: arrows pick "Group"
    wait(alice, lambda d: kinds[1].is_selected(), "group picked")
    kinds[1].send_keys(Keys.TAB)
    assert focused(alice) == "new-name"
    alice.switch_to.active_element.send_keys("team", Keys.TAB, "bob, carol", Keys.ENTER)
    wait(alice, lambda d: title(d) == "team", "the group open")
    grp = alice.execute_script("return decodeURIComponent(location.hash.slice(1));")
    assert grp.startswith("grp-")
    say(alice, "hi team")
    # bob had listed his inbox before: the message adds the group, named by the next listing.
    wait(bob, lambda d: unread(d, "team") == 1, "the group in bob's inbox")
    dm = create_conversation(bob, "direct", ["alice"])
    say(bob, "hi alice")
    wait(alice, lambda d: [n for _, n, _ in inbox(d)][:3] == ["Lobby", "bob", "team"],
         "the newest activity first, the lobby on top")
    assert inbox(alice)[1][0] == dm

    # Each conversation keeps its history and where the reader was.
    open_conversation(alice, "Lobby")
    wait(alice, lambda d: len(texts(d)) == 50, "the lobby's first page")
    alice.execute_script("document.getElementById('messages').scrollTop = 0;")
    wait(alice, lambda d: len(texts(d)) == 100, "an older page")
    alice.execute_script("document.getElementById('messages').scrollTop = 200;")
    open_conversation(alice, "team")
    assert texts(alice) == ["hi team"]
    open_conversation(alice, "Lobby")
    assert len(texts(alice)) == 100
    assert alice.execute_script("return document.getElementById('messages').scrollTop;") == 200
    open_conversation(alice, "bob")
    wait(alice, lambda d: texts(d) == ["hi alice"], "the direct one")

    # A reload: the same user, the same conversation, connected again by itself.
    open_conversation(alice, "team")
    alice.refresh()
    wait(alice, lambda d: status(d) == "connected", "connected after the reload")
    assert not alice.find_element(By.ID, "login").is_displayed()
    wait(alice, lambda d: title(d) == "team", "the group open again")
    wait(alice, lambda d: texts(d) == ["hi team"], "the group's history after the reload")
    say(alice, "back again")
    open_conversation(bob, "team")
    wait(bob, lambda d: texts(d) == ["hi team", "back again"], "sent after the reload")
