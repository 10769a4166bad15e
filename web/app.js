// The chat's web client (schemas/chat-protocol.md over one WebSocket): the inbox and its
// conversations (the lobby, direct and group ones), each with its history and scroll state;
// sending; read receipts, reactions, typing and presence; reconnection with backoff. No
// framework, no build step; text from the network is only ever put in with textContent.
"use strict";

(function () {
  const core = window.ChatCore;
  const view = window.ChatView;
  const LOBBY = core.LOBBY;
  const PAGE = 50;
  const INBOX_PAGE = 20;
  const HEARTBEAT_MS = 30000; // presence lives 90 s unless refreshed
  const PRESENCE_BATCH = 100; // usernames per getPresence
  const TYPING_EVERY_MS = 3000; // a typing frame at most this often while typing
  const TYPING_SHOWN_MS = 5000; // "bob is typing..." for this long after bob's last one
  const STORED_USER = "chat.username";

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $("status"), statusText: $("status-text"), reconnect: $("reconnect"),
    me: $("me"), signOut: $("sign-out"), main: $("main"),
    login: $("login"), username: $("username"), usernameError: $("username-error"),
    app: $("app"), inbox: $("inbox"), inboxList: $("conversation-list"),
    moreConversations: $("more-conversations"),
    newToggle: $("new-toggle"), newForm: $("new-form"), newUser: $("new-user"),
    newName: $("new-name"), newMembers: $("new-members"), newError: $("new-error"),
    newCancel: $("new-cancel"), directFields: $("direct-fields"), groupFields: $("group-fields"),
    chat: $("chat"), back: $("back"), backUnread: $("back-unread"),
    title: $("conversation-title"), members: $("conversation-members"),
    messages: $("messages"), historyState: $("history-state"), typing: $("typing"),
    jump: $("jump"), sendError: $("send-error"), composer: $("composer"), text: $("text"),
    counter: $("counter"), send: $("send"),
  };

  // ---- State ----
  const state = {
    username: null,
    heartbeatTimer: null,
    requests: 0,
    pending: new Map(), // requestId -> {kind, conv?, mode?, clientMessageId?}
    unacked: new Map(), // clientMessageId -> the sendMessage frame, sent again on reconnect
    conversations: new Map(), // conversationId -> conversation (see newConversation)
    openId: LOBBY,
    inboxCursor: undefined, // undefined: not listed yet; null: every page listed
    inboxRequest: null,
    inboxRefreshTimer: null,
    presence: new Map(), // username -> true / false (absent: not known)
    lastTypingSent: 0,
    lastTypingConversation: null,
  };

  function newConversation(id, known) {
    const list = document.createElement("ol");
    list.className = "message-list";
    return {
      id, kind: core.kindOf(id), name: "", members: [], known, // known: listed in the inbox
      unread: 0, lastActivity: 0, lastMessageId: "", lastSender: "", lastText: "",
      list, shown: new Map(), order: [], // messageId -> <li>; the ids ascending
      cursor: undefined, // older pages: undefined before the first page, null after the last
      loading: false, stale: false, historyText: "", problem: null,
      scrollTop: 0, atBottom: true,
      reads: new Map(), // username -> the newest messageId they read
      reactions: new Map(), // messageId -> Map emoji -> Set of usernames
      typing: new Map(), // username -> timer
      markedRead: "", inboxEntry: null,
    };
  }

  function conversation(id) {
    let c = state.conversations.get(id);
    if (!c) {
      c = newConversation(id, id === LOBBY);
      state.conversations.set(id, c);
    }
    return c;
  }

  const openConversation = () => conversation(state.openId);
  const connected = () => socket.open();
  const pageVisible = () => document.visibilityState === "visible";

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.statusText.textContent = text;
  }

  function request(frame, what) {
    state.requests += 1;
    const requestId = "r" + state.requests;
    state.pending.set(requestId, what);
    if (!sendFrame(Object.assign(frame, { requestId }))) {
      state.pending.delete(requestId);
      return null;
    }
    return requestId;
  }

  const sendFrame = (frame) => socket.send(frame);

  // ---- The connection (chat-connection.js: backoff and the status indicator) ----
  const socket = window.ChatConnection({
    url: window.ChatConnection.url,
    username: () => state.username,
    status: setStatus,
    showReconnect: (show) => { ui.reconnect.hidden = !show; },
    onOpen() {
      updateComposer();
      onConnected();
    },
    onFrame: handleFrame,
    onClose() {
      clearInterval(state.heartbeatTimer);
      state.pending.clear();
      for (const c of state.conversations.values()) {
        c.loading = false;
        c.stale = true; // what came while away comes with the next first page
      }
      state.inboxRequest = null;
      updateComposer();
    },
  });

  ui.reconnect.addEventListener("click", socket.again);
  window.addEventListener("online", () => {
    if (state.username && socket.idle()) socket.again();
  });

  function onConnected() {
    state.presence.set(state.username, true);
    showPresence(state.username);
    // The open conversation's newest page (the lobby's right after the upgrade, as the
    // protocol asks), the inbox from the top, and what was not acked yet (stored once).
    loadNewest(openConversation());
    state.inboxCursor = undefined;
    listConversations();
    for (const frame of state.unacked.values()) {
      state.pending.set(frame.requestId, { kind: "send", clientMessageId: frame.clientMessageId });
      sendFrame(frame);
    }
    state.heartbeatTimer = setInterval(() => sendFrame({ action: "heartbeat" }), HEARTBEAT_MS);
  }

  // ---- Incoming frames ----
  function handleFrame(f) {
    const what = f.requestId !== undefined ? state.pending.get(f.requestId) : undefined;
    if (what) state.pending.delete(f.requestId);
    switch (f.type) {
      case "message": onMessage(f); break;
      case "history": if (what && what.kind === "history") onHistory(f, what); break;
      case "conversations": if (what && what.kind === "inbox") onConversations(f, what); break;
      case "conversation": onConversation(f, what); break;
      case "ack": onAck(f); break;
      case "read": onRead(f); break;
      case "reaction": onReaction(f); break;
      case "typing": onTyping(f); break;
      case "presence":
        for (const u of f.users) {
          state.presence.set(u.username, u.online);
          showPresence(u.username);
        }
        break;
      case "presenceList": if (what && what.kind === "presence") onPresenceList(f); break;
      case "error": onError(f, what); break;
      default: break; // pong, token
    }
  }

  // A live frame from `username`: they are connected now.
  function seenOnline(username) {
    if (state.presence.get(username) !== true) {
      state.presence.set(username, true);
      showPresence(username);
    }
  }

  function onMessage(m) {
    const c = conversation(m.conversationId);
    if (m.sender !== state.username) seenOnline(m.sender);
    stopTyping(c, m.sender);
    if (!c.known && c.kind !== "lobby") {
      // A conversation not in the inbox yet (someone started it): in it now, its name and
      // members from the next listing.
      c.known = true;
      if (c.kind === "direct" && m.sender !== state.username) {
        c.members = [m.sender, state.username];
      }
      refreshInboxSoon();
    }
    if (m.messageId > c.lastMessageId) {
      // Newer than what the inbox counted: one more unread unless it is ours.
      if (m.sender !== state.username && !c.shown.has(m.messageId)) c.unread += 1;
      c.lastMessageId = m.messageId;
      c.lastActivity = Math.max(c.lastActivity, m.createdAt);
      c.lastSender = m.sender;
      c.lastText = m.text;
    }
    if (c.cursor !== undefined || c.shown.size || c.loading) showMessages(c, [m], true);
    markReadIfSeen(c);
    renderInbox();
  }

  function onHistory(f, what) {
    const c = what.conv;
    if (f.conversationId !== c.id) return;
    c.loading = false;
    c.problem = null;
    if (!c.known && c.kind !== "lobby") {
      c.known = true; // a participant: the history says so
      refreshInboxSoon();
    }
    const added = showMessages(c, f.messages, what.mode === "newest");
    const next = f.cursor === undefined ? null : f.cursor;
    if (what.mode === "older" || c.cursor === undefined) c.cursor = next;
    if (f.messages.length) {
      const newest = f.messages[0];
      if (newest.messageId > c.lastMessageId) {
        c.lastMessageId = newest.messageId;
        c.lastActivity = Math.max(c.lastActivity, newest.createdAt);
        c.lastSender = newest.sender;
        c.lastText = newest.text;
      }
    }
    // After a reconnect: the newest page did not reach what was shown yet, so there is a gap.
    if (what.mode === "newest" && what.reloaded && added === f.messages.length &&
        next !== null) {
      loadPage(c, "newest", next);
    }
    setHistoryText(c, c.cursor === null ? "Start of the conversation" : "");
    if (c.id === state.openId) {
      if (c.cursor !== null && c.cursor !== undefined) fillViewport();
      if (what.mode === "older" && !added && c.cursor && ui.messages.scrollTop < 40) {
        loadOlder(c); // pages shown already (a reconnect): on to the next
      }
    }
    markReadIfSeen(c);
    renderReceipts(c);
    renderInbox();
  }

  function onError(f, what) {
    console.warn("chat: the server answered an error", f.code, f.message);
    if (!what) return;
    if (what.kind === "history") {
      const c = what.conv;
      c.loading = false;
      if (f.code === "NotAParticipant" || f.code === "NotFound") {
        c.problem = f.code === "NotFound" ? "There is no such conversation." :
          "You are not a participant of this conversation.";
        setHistoryText(c, c.problem);
        updateComposer();
      } else {
        setHistoryText(c, "History unavailable (" + f.code + ")");
      }
    } else if (what.kind === "create") {
      newForm.refused(f.message || f.code);
    } else if (what.kind === "send") {
      const frame = state.unacked.get(what.clientMessageId);
      state.unacked.delete(what.clientMessageId);
      dropPending(what.clientMessageId);
      ui.sendError.textContent = "Not sent: " + (f.message || f.code);
      if (frame && frame.conversationId === state.openId && !ui.text.value) {
        ui.text.value = frame.text;
        updateComposer();
      }
    } else if (what.kind === "inbox") {
      state.inboxRequest = null;
    }
  }

  // ---- The inbox ----
  function listConversations() {
    if (state.inboxRequest !== null || state.inboxCursor === null) return;
    state.inboxRequest = request({ action: "listConversations", limit: INBOX_PAGE,
                                   cursor: state.inboxCursor === undefined ? null :
                                     state.inboxCursor }, { kind: "inbox" });
  }

  // Someone added us to a conversation: list the first page again to learn its name.
  function refreshInboxSoon() {
    clearTimeout(state.inboxRefreshTimer);
    state.inboxRefreshTimer = setTimeout(() => {
      if (state.inboxRequest !== null) return refreshInboxSoon();
      if (state.inboxCursor === undefined) return listConversations();
      state.inboxRequest = request({ action: "listConversations", limit: INBOX_PAGE,
                                     cursor: null }, { kind: "inbox", refresh: true });
    }, 300);
  }

  function onConversations(f, what) {
    state.inboxRequest = null;
    for (const item of f.items) {
      const c = conversation(item.conversationId);
      c.known = true;
      c.problem = null;
      c.kind = item.kind === "direct" ? "direct" : "group";
      c.name = item.name || "";
      c.members = item.members;
      if (!item.lastMessageId || item.lastMessageId >= c.lastMessageId) {
        // The server's count, unless this page has it open and read it meanwhile.
        c.unread = c.id === state.openId && c.markedRead &&
          c.markedRead >= (item.lastMessageId || "") ? 0 : item.unread;
        c.lastMessageId = item.lastMessageId || c.lastMessageId;
        c.lastSender = item.lastSender || c.lastSender;
        c.lastText = item.lastText || c.lastText;
      }
      c.lastActivity = Math.max(c.lastActivity, item.lastActivity);
    }
    // A refresh of the first page keeps the paging where it was.
    if (!what.refresh || state.inboxCursor === undefined) {
      state.inboxCursor = f.cursor === undefined ? null : f.cursor;
    }
    renderInbox();
    renderHeader();
    updateComposer();
    markReadIfSeen(openConversation());
    askPresence(f.items.flatMap((item) => item.members));
  }

  // Who of `usernames` is online now (getPresence, 100 at a time): `presence` frames tell only
  // the changes after it.
  function askPresence(usernames) {
    const others = [...new Set(usernames)].filter((u) => u !== state.username);
    for (let i = 0; i < others.length; i += PRESENCE_BATCH) {
      request({ action: "getPresence", usernames: others.slice(i, i + PRESENCE_BATCH) },
              { kind: "presence" });
    }
  }

  function onPresenceList(f) {
    for (const u of f.users) {
      state.presence.set(u.username, u.online);
      showPresence(u.username);
    }
  }

  ui.moreConversations.addEventListener("click", listConversations);
  ui.inboxList.addEventListener("scroll", () => {
    const l = ui.inboxList;
    if (l.scrollHeight - l.scrollTop - l.clientHeight < 40) listConversations();
  });

  function ordered() {
    const list = [...state.conversations.values()].filter((c) => c.known && c.id !== LOBBY);
    list.sort((a, b) => b.lastActivity - a.lastActivity || (a.id < b.id ? 1 : -1));
    return [conversation(LOBBY), ...list];
  }

  function peerOf(c) {
    if (c.kind !== "direct") return null;
    const others = c.members.filter((m) => m !== state.username);
    return others.length === 1 ? others[0] : null;
  }

  const typingLine = (c) => core.typingLine([...c.typing.keys()]);

  function renderInbox() {
    const focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#conversation-list .conv");
    const focusedId = focused ? focused.dataset.conversationId : null;
    let totalElsewhere = 0;
    let index = 0;
    for (const c of ordered()) {
      if (!c.inboxEntry) c.inboxEntry = view.inboxEntry(() => selectConversation(c.id));
      const peer = peerOf(c);
      const last = c.lastText ? (c.kind === "direct" && c.lastSender !== state.username ? "" :
        (c.lastSender === state.username ? "You" : c.lastSender) + ": ") + c.lastText : "";
      view.setInboxEntry(c.inboxEntry, {
        id: c.id, title: core.title(c, state.username), open: c.id === state.openId,
        unread: c.unread, lastLine: last, typingLine: typingLine(c), dmPeer: peer,
        peerOnline: peer ? state.presence.get(peer) : undefined,
      });
      if (c.id !== state.openId) totalElsewhere += c.unread;
      if (ui.inboxList.children[index] !== c.inboxEntry) {
        ui.inboxList.insertBefore(c.inboxEntry, ui.inboxList.children[index] || null);
      }
      index += 1;
    }
    while (ui.inboxList.children.length > index) ui.inboxList.lastChild.remove();
    if (focusedId && (!document.activeElement ||
                      document.activeElement.dataset.conversationId !== focusedId)) {
      const again = conversation(focusedId).inboxEntry;
      if (again) again.firstChild.focus();
    }
    ui.moreConversations.hidden = !state.inboxCursor;
    ui.backUnread.textContent = totalElsewhere ? "(" + totalElsewhere + ")" : "";
    document.title = (totalElsewhere + openConversation().unread ?
      "(" + (totalElsewhere + openConversation().unread) + ") " : "") + "Chat";
  }

  // ---- Creating conversations (chat-new-form.js) ----
  const newForm = window.ChatNewForm(ui, {
    me: () => state.username,
    create: (frame) => request(frame, { kind: "create" }) !== null,
  });

  function onConversation(f, what) {
    const c = conversation(f.conversationId);
    c.known = true;
    c.problem = null;
    c.kind = f.kind === "direct" ? "direct" : "group";
    c.name = f.name || "";
    c.members = f.members;
    if (typeof f.createdAt === "number") c.lastActivity = Math.max(c.lastActivity, f.createdAt);
    renderInbox();
    if (what && what.kind === "create") {
      newForm.done();
      selectConversation(c.id);
      ui.text.focus();
    }
  }

  // ---- Switching conversations (the location hash names the open one) ----
  function selectConversation(id) {
    if (location.hash.slice(1) !== id) location.hash = id === LOBBY ? "" : id;
    else showConversation(id);
    ui.main.dataset.view = "conversation";
    // On a phone the inbox (and the focused entry) is hidden now: on to the composer.
    if (getComputedStyle(ui.inbox).display === "none") ui.text.focus();
  }

  window.addEventListener("hashchange", () => {
    const id = hashConversation();
    if (id !== state.openId) showConversation(id);
    ui.main.dataset.view = "conversation";
  });

  function hashConversation() {
    const id = decodeURIComponent(location.hash.slice(1));
    return core.CONVERSATION_ID.test(id) ? id : LOBBY;
  }

  function showConversation(id) {
    const old = openConversation();
    old.scrollTop = ui.messages.scrollTop;
    old.atBottom = nearBottom();
    old.list.removeAttribute("id");
    old.list.remove();
    state.openId = id;
    const c = conversation(id);
    c.list.id = "message-list";
    ui.messages.append(c.list);
    ui.historyState.textContent = c.historyText;
    ui.jump.hidden = true;
    ui.sendError.textContent = "";
    if (c.atBottom) scrollToBottom();
    else ui.messages.scrollTop = c.scrollTop;
    if (connected() && !c.loading && (c.cursor === undefined || c.stale)) loadNewest(c);
    state.lastTypingSent = 0;
    renderHeader();
    renderTyping();
    renderInbox();
    updateComposer();
    markReadIfSeen(c);
  }

  function renderHeader() {
    const c = openConversation();
    ui.title.textContent = core.title(c, state.username);
    ui.chat.setAttribute("aria-label", core.title(c, state.username));
    ui.members.replaceChildren();
    if (c.kind === "lobby") {
      const online = [...state.presence].filter(([, on]) => on).map(([u]) => u).sort();
      ui.members.textContent = "Everyone · " + online.length + " online";
      return;
    }
    for (const m of c.members) {
      const span = view.el("span", "member");
      span.append(view.presenceDot(m, state.presence.get(m)),
                  document.createTextNode(m === state.username ? m + " (you)" : m));
      ui.members.append(span);
    }
  }

  function showPresence(username) {
    for (const dot of document.querySelectorAll(".presence")) {
      if (dot.dataset.user === username) view.setPresence(dot, state.presence.get(username));
    }
    if (openConversation().kind === "lobby") renderHeader();
  }

  ui.back.addEventListener("click", () => {
    ui.main.dataset.view = "inbox";
    const entry = openConversation().inboxEntry;
    if (entry) entry.firstChild.focus();
  });

  // ---- History: the newest page on opening (and after a reconnect), older ones on scrolling up
  function loadPage(c, mode, cursor) {
    c.loading = true;
    if (mode === "newest") c.stale = false;
    if (!c.shown.size || mode === "older") setHistoryText(c, "Loading…");
    const sent = request({ action: "getHistory", conversationId: c.id, limit: PAGE,
                           cursor: cursor === undefined ? null : cursor },
                         { kind: "history", conv: c, mode, reloaded: c.cursor !== undefined });
    if (!sent) c.loading = false;
  }

  const loadNewest = (c) => loadPage(c, "newest", null);

  function loadOlder(c) {
    if (c.loading || !c.cursor) return;
    loadPage(c, "older", c.cursor);
  }

  function setHistoryText(c, text) {
    c.historyText = text;
    if (c.id === state.openId) ui.historyState.textContent = text;
  }

  // While the list does not fill the pane, nobody can scroll up: fetch older pages at once.
  function fillViewport() {
    if (ui.messages.scrollHeight <= ui.messages.clientHeight) loadOlder(openConversation());
  }

  ui.messages.addEventListener("scroll", () => {
    const c = openConversation();
    if (ui.messages.scrollTop < 40 && c.cursor !== undefined) loadOlder(c);
    if (nearBottom()) {
      ui.jump.hidden = true;
      markReadIfSeen(c);
    }
  });

  function nearBottom() {
    const m = ui.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 40;
  }

  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
    ui.jump.hidden = true;
  }
  ui.jump.addEventListener("click", () => {
    scrollToBottom();
    markReadIfSeen(openConversation());
  });

  // Inserts the messages not shown yet, each at its place by messageId; returns how many. In
  // the open conversation with `follow`, a reader at the bottom stays there; one who scrolled
  // up keeps their place (older pages grow the top).
  function showMessages(c, messages, follow) {
    const open = c.id === state.openId;
    const m = ui.messages;
    const atBottom = open && nearBottom();
    const fromBottom = m.scrollHeight - m.scrollTop;
    let added = 0;
    let addedAtEnd = false;
    for (const message of messages) {
      if (message.sender === state.username && typeof message.clientMessageId === "string") {
        const pending = pendingItem(c, message.clientMessageId);
        if (pending) pending.remove();
      }
      if (message.conversationId !== c.id || c.shown.has(message.messageId)) continue;
      const li = view.message(message, state.username,
                              (emoji) => react(c, message.messageId, emoji));
      let lo = 0;
      let hi = c.order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.order[mid] < message.messageId) lo = mid + 1; else hi = mid;
      }
      // Before the next one, or at the end (before our messages still on their way).
      const before = lo < c.order.length ? c.shown.get(c.order[lo]) :
        c.list.querySelector(".pending, .stored");
      c.list.insertBefore(li, before);
      c.order.splice(lo, 0, message.messageId);
      c.shown.set(message.messageId, li);
      const reactions = c.reactions.get(message.messageId);
      if (reactions) view.setReactions(li, reactions, state.username);
      if (lo === c.order.length - 1) addedAtEnd = true;
      added += 1;
    }
    if (!added) return 0;
    if (addedAtEnd) renderReceipts(c);
    if (!open) return added;
    if (follow && (atBottom || c.order.length === added)) {
      scrollToBottom();
    } else {
      m.scrollTop = m.scrollHeight - fromBottom; // keeps what the reader sees in place
      if (addedAtEnd && follow) ui.jump.hidden = false;
    }
    return added;
  }

  // ---- Read receipts ----
  // The newest message shown, once the reader sees it: open, the page visible, at the bottom.
  function markReadIfSeen(c) {
    if (c.id !== state.openId || !pageVisible() || !connected() || !nearBottom()) return;
    const newest = c.order[c.order.length - 1];
    if (!newest) return;
    if (newest >= c.lastMessageId) c.unread = 0;
    if (newest > c.markedRead) {
      c.markedRead = newest;
      sendFrame({ action: "markRead", conversationId: c.id, messageId: newest });
    }
    renderInbox();
  }

  document.addEventListener("visibilitychange", () => {
    if (state.username) markReadIfSeen(openConversation());
  });

  function onRead(f) {
    const c = conversation(f.conversationId);
    const before = c.reads.get(f.username);
    if (before === undefined || f.messageId > before) c.reads.set(f.username, f.messageId);
    if (f.username === state.username) {
      // Read in another tab of ours.
      if (f.messageId > c.markedRead) c.markedRead = f.messageId;
      if (f.messageId >= c.lastMessageId && c.unread) {
        c.unread = 0;
        renderInbox();
      }
    } else {
      seenOnline(f.username);
    }
    renderReceipts(c);
  }

  // "Seen by ..." under the newest of our messages each reader has read up to.
  function renderReceipts(c) {
    const mine = c.order.filter((id) => c.shown.get(id).dataset.sender === state.username);
    const at = core.receipts(mine, c.reads, state.username);
    for (const id of mine) view.setSeen(c.shown.get(id), at.get(id) || []);
  }

  // ---- Reactions: the backend toggles (a repeat react removes it, `added: false`) ----
  function react(c, messageId, emoji) {
    if (!sendFrame({ action: "react", conversationId: c.id, messageId, emoji })) {
      ui.sendError.textContent = "Not connected: the reaction was not sent.";
    }
  }

  function onReaction(f) {
    const c = conversation(f.conversationId);
    if (!c.reactions.has(f.messageId)) c.reactions.set(f.messageId, new Map());
    const byEmoji = c.reactions.get(f.messageId);
    if (!byEmoji.has(f.emoji)) byEmoji.set(f.emoji, new Set());
    if (f.added) byEmoji.get(f.emoji).add(f.username);
    else byEmoji.get(f.emoji).delete(f.username);
    if (!byEmoji.get(f.emoji).size) byEmoji.delete(f.emoji);
    if (f.username !== state.username) seenOnline(f.username);
    const li = c.shown.get(f.messageId);
    if (li) view.setReactions(li, byEmoji, state.username);
  }

  // ---- Typing ----
  function onTyping(f) {
    if (f.username === state.username) return;
    const c = conversation(f.conversationId);
    seenOnline(f.username);
    clearTimeout(c.typing.get(f.username));
    c.typing.set(f.username, setTimeout(() => stopTyping(c, f.username), TYPING_SHOWN_MS));
    renderTyping();
    renderInbox();
  }

  function stopTyping(c, username) {
    if (!c.typing.has(username)) return;
    clearTimeout(c.typing.get(username));
    c.typing.delete(username);
    renderTyping();
    renderInbox();
  }

  function renderTyping() {
    ui.typing.textContent = typingLine(openConversation());
  }

  function typed() {
    const now = Date.now();
    if (!ui.text.value.trim() || !connected()) return;
    if (state.lastTypingConversation === state.openId &&
        now - state.lastTypingSent < TYPING_EVERY_MS) return;
    if (sendFrame({ action: "typing", conversationId: state.openId })) {
      state.lastTypingSent = now;
      state.lastTypingConversation = state.openId;
    }
  }

  // ---- Composer ----
  const trimmedLength = () => core.codePoints(ui.text.value.trim());

  function composerValid() {
    const n = trimmedLength();
    return n >= 1 && n <= core.MAX_TEXT && !openConversation().problem;
  }

  function updateComposer() {
    const n = core.codePoints(ui.text.value);
    ui.counter.textContent = n + " / " + core.MAX_TEXT;
    ui.counter.classList.toggle("over", trimmedLength() > core.MAX_TEXT);
    ui.send.disabled = !composerValid() || !connected();
  }

  ui.text.addEventListener("input", () => {
    ui.sendError.textContent = "";
    updateComposer();
    typed();
  });
  ui.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  // Our message as it goes: shown at once at the end, greyed until the server has stored it
  // (its ack), until the message itself (live or in a history page, by its clientMessageId)
  // takes its place.
  function showPending(frame) {
    const c = conversation(frame.conversationId);
    c.list.append(view.pendingMessage(frame, state.username));
    if (c.id === state.openId) scrollToBottom();
  }

  const pendingItem = (c, clientMessageId) => view.findPending(c.list, clientMessageId);

  function dropPending(clientMessageId) {
    for (const c of state.conversations.values()) {
      const li = pendingItem(c, clientMessageId);
      if (li) li.remove();
    }
  }

  function onAck(f) {
    state.unacked.delete(f.clientMessageId);
    const li = pendingItem(conversation(f.conversationId), f.clientMessageId);
    if (li) view.markStored(li, f.createdAt);
  }

  function submit() {
    if (!composerValid()) return;
    const clientMessageId = core.randomId();
    const frame = { action: "sendMessage", conversationId: state.openId, text: ui.text.value,
                    clientMessageId, requestId: "s-" + clientMessageId };
    if (!sendFrame(frame)) return; // not connected: the text stays in the box
    state.pending.set(frame.requestId, { kind: "send", clientMessageId });
    state.unacked.set(clientMessageId, frame);
    showPending(frame);
    state.lastTypingSent = 0; // the next message's typing shows at once
    ui.text.value = "";
    updateComposer();
    scrollToBottom();
  }

  // ---- Login (the name kept for this tab across reloads; the last one offered next time) ----
  function start(name) {
    state.username = name;
    try {
      sessionStorage.setItem(STORED_USER, name);
      localStorage.setItem(STORED_USER, name);
    } catch (e) {
      // storage disabled: the page still works, it just forgets on reload
    }
    ui.login.hidden = true;
    ui.app.hidden = false;
    ui.me.textContent = name;
    ui.me.className = "me " + core.colourClass(name);
    ui.me.hidden = false;
    ui.signOut.hidden = false;
    conversation(LOBBY);
    // The conversation of the address (a reload), else the lobby.
    state.openId = hashConversation();
    const c = conversation(state.openId);
    c.list.id = "message-list";
    ui.messages.append(c.list);
    ui.main.dataset.view = "conversation";
    renderHeader();
    renderInbox();
    updateComposer();
    ui.text.focus();
    socket.connect();
  }

  ui.login.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = ui.username.value;
    const problem = core.usernameProblem(name);
    ui.usernameError.textContent = problem || "";
    ui.username.setAttribute("aria-invalid", problem ? "true" : "false");
    if (problem) {
      ui.username.focus();
      return;
    }
    start(name);
  });
  ui.username.addEventListener("input", () => {
    ui.usernameError.textContent = "";
    ui.username.removeAttribute("aria-invalid");
  });

  ui.signOut.addEventListener("click", () => {
    try {
      sessionStorage.removeItem(STORED_USER);
    } catch (e) {
      // nothing kept
    }
    socket.close();
    location.hash = "";
    location.reload();
  });

  let stored = null;
  let offered = null;
  try {
    stored = sessionStorage.getItem(STORED_USER);
    offered = localStorage.getItem(STORED_USER);
  } catch (e) {
    // storage disabled
  }
  if (stored && !core.usernameProblem(stored)) start(stored);
  else if (offered && !core.usernameProblem(offered)) ui.username.value = offered;
})();
