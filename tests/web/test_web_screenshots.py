"""Screenshots of a conversation in the web client at desktop width (1280x800) and phone width
(390x844), written to web/screenshots/ for the README: a group with a few messages, a reaction,
a read receipt and someone typing. The page is checked at both widths as it is shot: what a
person sees there (the inbox beside the conversation on a desktop, one of them on a phone)."""

from web_support import (DESKTOP, PHONE, SCREENSHOTS, By, browsers, connected,  # noqa: F401
                         create_conversation, open_conversation, react, say, stack, texts,
                         wait)


def viewport(driver, size):
    """The page's viewport exactly `size` (a window's size includes the browser's frame)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
    wait(driver, lambda d: d.execute_script("return [innerWidth, innerHeight];") == list(size),
         "the viewport %dx%d" % size)


def test_screenshots_of_a_conversation_at_desktop_and_phone_width(stack, browsers):
    alice = connected(browsers(stack.ready["web"], size=DESKTOP), "alice")
    bob = connected(browsers(stack.ready["web"]), "bob")
    carol = connected(browsers(stack.ready["web"]), "carol")
    say(alice, "Morning all! Coffee at 10?")
    create_conversation(alice, "group", ["bob", "carol"], "Weekend trip")
    lines = [(alice, "Who is in for the hike on Saturday?"),
             (bob, "Me! I can drive, the car has room for four."),
             (carol, "Count me in. I'll bring sandwiches <and> a map"),
             (alice, "Great, let's meet at 8:30 by the station.")]
    say(alice, lines[0][1])
    for d in (bob, carol):
        open_conversation(d, "Weekend trip")
    for who, text in lines[1:]:
        say(who, text)
        wait(alice, lambda d, text=text: texts(d)[-1:] == [text], "each line in turn")
    react(bob, lines[2][1], "👍")
    wait(alice, lambda d: "👍 1" in [c.text for c in d.find_elements(By.CSS_SELECTOR, ".chip")],
         "the reaction")
    wait(alice, lambda d: "Seen by bob and carol" in [s.text for s in d.find_elements(
        By.CSS_SELECTOR, "#message-list .seen")], "the receipts")
    bob.find_element(By.ID, "text").send_keys("Should we")
    wait(alice, lambda d: d.find_element(By.ID, "typing").text == "bob is typing…", "typing")

    assert alice.find_element(By.ID, "inbox").is_displayed()  # beside it on a desktop
    SCREENSHOTS.mkdir(exist_ok=True)
    viewport(alice, DESKTOP)
    alice.save_screenshot(str(SCREENSHOTS / "desktop.png"))
    viewport(alice, PHONE)
    wait(alice, lambda d: not d.find_element(By.ID, "inbox").is_displayed(), "phone layout")
    assert alice.find_element(By.ID, "back").is_displayed()
    assert alice.execute_script("return document.documentElement.scrollWidth <= innerWidth;")
    alice.save_screenshot(str(SCREENSHOTS / "phone.png"))
    viewport(alice, (360, 740))  # the narrowest phone: nothing wider than the screen
    assert alice.execute_script("return document.documentElement.scrollWidth <= innerWidth;")
    assert alice.find_element(By.ID, "send").rect["x"] + 10 < 360
    assert (SCREENSHOTS / "desktop.png").stat().st_size > 10000
