// The web client's page pieces: a message (with its reactions and "Seen by" line) and an inbox
// entry. Text from the network goes in with textContent only. app.js uses window.ChatView.
"use strict";

window.ChatView = (function () {
  const core = window.ChatCore;
  const EMOJI = ["👍", "❤️", "😂", "🎉", "😮"];
  const EMOJI_NAMES = { "👍": "thumbs up", "❤️": "heart", "😂": "laughing", "🎉": "party",
                        "😮": "surprised" };

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function formatTime(ms) {
    const d = new Date(ms);
    if (isNaN(d.getTime())) return "";
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // A presence dot for `username`; app.js keeps every dot of a user up to date.
  function presenceDot(username, online) {
    const dot = el("span", "presence");
    dot.dataset.user = username;
    setPresence(dot, online);
    return dot;
  }

  function setPresence(dot, online) {
    const state = online === true ? "online" : online === false ? "offline" : "unknown";
    dot.dataset.online = state;
    dot.setAttribute("role", "img");
    const label = dot.dataset.user +
      (state === "unknown" ? ": presence not known yet" : ": " + state);
    dot.setAttribute("aria-label", label);
    dot.title = label;
  }

  // A message's <li>. `onReact(emoji)` is called when the reader picks or toggles an emoji.
  function message(m, me, onReact) {
    const li = el("li", "message" + (m.sender === me ? " mine" : ""));
    li.dataset.messageId = m.messageId;
    li.dataset.sender = m.sender;
    const meta = el("div", "meta");
    const sender = el("span", "sender " + core.colourClass(m.sender), m.sender);
    const time = el("time", "", formatTime(m.createdAt));
    time.dateTime = new Date(m.createdAt).toISOString();
    const text = el("p", "text", m.text);
    const reactions = el("div", "reactions");
    const chips = el("span", "chips");
    const toggle = el("button", "react-toggle small", "☺+");
    toggle.type = "button";
    toggle.setAttribute("aria-label", "Add a reaction to " + m.sender + "'s message");
    toggle.setAttribute("aria-expanded", "false");
    const picker = el("span", "picker");
    picker.setAttribute("role", "group");
    picker.setAttribute("aria-label", "Reactions");
    picker.hidden = true;
    for (const emoji of EMOJI) {
      const b = el("button", "pick secondary small", emoji);
      b.type = "button";
      b.dataset.emoji = emoji;
      b.setAttribute("aria-label", "React with " + (EMOJI_NAMES[emoji] || emoji));
      b.addEventListener("click", () => {
        picker.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
        onReact(emoji);
      });
      picker.append(b);
    }
    toggle.addEventListener("click", () => {
      picker.hidden = !picker.hidden;
      toggle.setAttribute("aria-expanded", String(!picker.hidden));
      if (!picker.hidden) picker.firstChild.focus();
    });
    picker.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        picker.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
    chips.addEventListener("click", (event) => {
      const chip = event.target.closest("button[data-emoji]");
      if (chip) onReact(chip.dataset.emoji);
    });
    meta.append(sender, time, toggle);
    reactions.append(chips, picker);
    const seen = el("p", "seen");
    seen.hidden = true;
    li.append(meta, text, reactions, seen);
    return li;
  }

  // Our message on its way (greyed, "Sending…"), at the end of its list until it is shown.
  function pendingMessage(frame, me) {
    const li = message({ messageId: "", sender: me, text: frame.text, createdAt: Date.now() },
                       me, () => {});
    li.classList.add("pending");
    li.dataset.clientMessageId = frame.clientMessageId;
    li.querySelector("time").textContent = "Sending…";
    return li;
  }

  function findPending(list, clientMessageId) {
    return [...list.querySelectorAll(".message.pending, .message.stored")].find(
      (e) => e.dataset.clientMessageId === clientMessageId);
  }

  // Acknowledged: stored, with the server's time.
  function markStored(li, createdAt) {
    li.classList.replace("pending", "stored");
    if (typeof createdAt !== "number") return;
    const time = li.querySelector("time");
    time.dateTime = new Date(createdAt).toISOString();
    time.textContent = formatTime(createdAt);
  }

  // The chips of a message's reactions: `byEmoji` maps an emoji to the Set of its users.
  function setReactions(li, byEmoji, me) {
    const chips = li.querySelector(".chips");
    chips.replaceChildren();
    for (const [emoji, users] of byEmoji) {
      if (!users.size) continue;
      const list = [...users].sort();
      const chip = el("button", "chip small" + (users.has(me) ? " own" : ""),
                      emoji + " " + users.size);
      chip.type = "button";
      chip.dataset.emoji = emoji;
      chip.setAttribute("aria-pressed", String(users.has(me)));
      const label = (EMOJI_NAMES[emoji] || emoji) + ", " + users.size + ": " + list.join(", ");
      chip.setAttribute("aria-label", label);
      chip.title = list.join(", ");
      chips.append(chip);
    }
  }

  function setSeen(li, readers) {
    const seen = li.querySelector(".seen");
    seen.hidden = !readers.length;
    seen.textContent = readers.length ? "Seen by " + core.names(readers, 3) : "";
  }

  // An inbox entry: a button naming the conversation, its last message and unread count.
  function inboxEntry(onOpen) {
    const li = el("li", "inbox-entry");
    const button = el("button", "conv");
    button.type = "button";
    const top = el("span", "conv-top");
    const name = el("span", "conv-name");
    const badge = el("span", "badge");
    top.append(name, badge);
    const last = el("span", "conv-last");
    button.append(top, last);
    button.addEventListener("click", onOpen);
    li.append(button);
    return li;
  }

  // `view`: {id, title, open, unread, lastLine, typingLine, dmPeer, peerOnline}.
  function setInboxEntry(li, view) {
    const button = li.firstChild;
    button.dataset.conversationId = view.id;
    li.dataset.conversationId = view.id;
    if (view.open) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
    const name = button.querySelector(".conv-name");
    name.replaceChildren();
    if (view.dmPeer) name.append(presenceDot(view.dmPeer, view.peerOnline));
    name.append(document.createTextNode(view.title));
    const badge = button.querySelector(".badge");
    badge.textContent = view.unread ? String(view.unread) : "";
    badge.hidden = !view.unread;
    const last = button.querySelector(".conv-last");
    last.textContent = view.typingLine || view.lastLine;
    last.classList.toggle("typing-line", !!view.typingLine);
    const presence = !view.dmPeer ? "" : view.peerOnline === true ? ", online" :
      view.peerOnline === false ? ", offline" : "";
    button.setAttribute("aria-label", view.title + presence +
      (view.unread ? ", " + view.unread + " unread" : "") +
      (view.lastLine ? ", last: " + view.lastLine : ""));
  }

  return { EMOJI, el, formatTime, message, pendingMessage, findPending, markStored,
           setReactions, setSeen, inboxEntry, setInboxEntry, presenceDot, setPresence };
})();
