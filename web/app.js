// The chat's web client (schemas/chat-protocol.md over one WebSocket): the lobby, its history,
// sending, reconnection. No framework, no build step; text from the network is only ever put
// into the page with textContent.
"use strict";

(function () {
  const LOBBY = "lobby";
  const MAX_TEXT = 1000; // code points after trimming, as the server counts them
  const PAGE = 50;
  const BACKOFF_SECONDS = [3, 6, 12, 24, 48]; // at most five tries, then the Reconnect button
  const HEARTBEAT_MS = 30000; // presence lives 90 s unless refreshed
  const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
  const PALETTE_SIZE = 8; // .user-0 ... .user-7 in style.css

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $("status"), statusText: $("status-text"), reconnect: $("reconnect"),
    login: $("login"), username: $("username"), usernameError: $("username-error"),
    chat: $("chat"), messages: $("messages"), list: $("message-list"),
    historyState: $("history-state"), jump: $("jump"), composer: $("composer"),
    text: $("text"), counter: $("counter"), send: $("send"),
  };

  // Where the stack is: ?ws=URL, else the launcher's config.js, else the default local port.
  function websocketUrl() {
    const fromQuery = new URLSearchParams(location.search).get("ws");
    if (fromQuery) return fromQuery;
    const config = window.CHAT_CONFIG || {};
    if (typeof config.websocketUrl === "string" && config.websocketUrl) return config.websocketUrl;
    return "ws://" + (location.hostname || "127.0.0.1") + ":3002/chat";
  }

  // As the $connect authorizer checks it: 2 to 20 of [A-Za-z0-9 _-], no space at either end.
  function usernameProblem(name) {
    const length = [...name].length;
    if (length < 2 || length > 20) return "A username has 2 to 20 characters.";
    if (!/^[A-Za-z0-9 _-]+$/.test(name)) {
      return "Only letters, digits, spaces, \"-\" and \"_\" are allowed.";
    }
    if (name.startsWith(" ") || name.endsWith(" ")) {
      return "A username cannot start or end with a space.";
    }
    return null;
  }

  // A stable colour per username: FNV-1a of its UTF-16 units, modulo the palette.
  function colourClass(name) {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return "user-" + (h % PALETTE_SIZE);
  }

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- Validation of incoming frames: anything else is dropped with a console warning. ----
  const isString = (v) => typeof v === "string";
  const isOptString = (v) => v === undefined || v === null || typeof v === "string";
  const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

  function validMessage(m) {
    return m !== null && typeof m === "object" && isString(m.conversationId) &&
      isString(m.messageId) && ULID.test(m.messageId) && isString(m.sender) &&
      isString(m.text) && isNumber(m.createdAt);
  }

  const VALIDATORS = {
    message: validMessage,
    history: (f) => isString(f.conversationId) && Array.isArray(f.messages) &&
      f.messages.every(validMessage) && isOptString(f.cursor),
    ack: (f) => isString(f.clientMessageId) && isString(f.messageId) &&
      isString(f.conversationId),
    error: (f) => isString(f.code) && isOptString(f.message),
    pong: () => true,
    presence: (f) => isString(f.username) && typeof f.online === "boolean",
    read: (f) => isString(f.conversationId) && isString(f.username) && isString(f.messageId),
    reaction: (f) => isString(f.conversationId) && isString(f.messageId) &&
      isString(f.username) && isString(f.emoji) && typeof f.added === "boolean",
    typing: (f) => isString(f.conversationId) && isString(f.username),
    conversation: (f) => isString(f.conversationId),
    conversations: (f) => Array.isArray(f.items),
    token: (f) => isString(f.token),
  };

  function parseFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      console.warn("chat: dropped a frame that is not JSON", data);
      return null;
    }
    if (frame === null || typeof frame !== "object" || Array.isArray(frame) ||
        !isString(frame.type) || !Object.prototype.hasOwnProperty.call(VALIDATORS, frame.type) ||
        !VALIDATORS[frame.type](frame)) {
      console.warn("chat: dropped an invalid frame", frame);
      return null;
    }
    return frame;
  }

  // ---- State ----
  const state = {
    username: null,
    ws: null,
    tries: 0, // failed attempts since the last open connection
    retryTimer: null,
    heartbeatTimer: null,
    requests: 0,
    shown: new Map(), // messageId -> its <li>, in the page once each
    order: [], // the messageIds shown, ascending (ULIDs sort by time)
    unacked: new Map(), // clientMessageId -> the sendMessage frame, sent again on reconnect
    historyRequest: null, // requestId of the getHistory in flight
    cursor: undefined, // undefined: first page not loaded; null: no older page
  };

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.statusText.textContent = text;
  }

  function nextRequestId() {
    state.requests += 1;
    return "r" + state.requests;
  }

  function sendFrame(frame) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
    state.ws.send(JSON.stringify(frame));
    return true;
  }

  // ---- Connection, with backoff ----
  function connect() {
    clearTimeout(state.retryTimer);
    ui.reconnect.hidden = true;
    setStatus("connecting", "Connecting…");
    const url = new URL(websocketUrl());
    url.searchParams.set("username", state.username);
    let ws;
    try {
      ws = new WebSocket(url.toString());
    } catch (e) {
      setStatus("error", "Error: " + e.message);
      ui.reconnect.hidden = false;
      return;
    }
    state.ws = ws;
    ws.addEventListener("open", () => {
      if (state.ws !== ws) return;
      state.tries = 0;
      setStatus("connected", "Connected as " + state.username);
      ui.send.disabled = !composerValid();
      // The lobby's history from the top again: what was missed while away comes with it.
      state.cursor = undefined;
      state.historyRequest = null;
      requestHistory();
      for (const frame of state.unacked.values()) sendFrame(frame); // stored once
      state.heartbeatTimer = setInterval(() => sendFrame({ action: "heartbeat" }), HEARTBEAT_MS);
    });
    ws.addEventListener("message", (event) => {
      if (state.ws !== ws) return;
      const frame = parseFrame(event.data);
      if (frame) handleFrame(frame);
    });
    ws.addEventListener("close", () => {
      if (state.ws !== ws) return;
      state.ws = null;
      clearInterval(state.heartbeatTimer);
      ui.send.disabled = true;
      scheduleRetry();
    });
  }

  function scheduleRetry() {
    if (state.tries >= BACKOFF_SECONDS.length) {
      setStatus("error", "Disconnected: the chat cannot be reached");
      ui.reconnect.hidden = false;
      return;
    }
    const seconds = BACKOFF_SECONDS[state.tries];
    state.tries += 1;
    setStatus("disconnected", "Disconnected; retrying in " + seconds + " s (" + state.tries +
      " of " + BACKOFF_SECONDS.length + ")");
    state.retryTimer = setTimeout(connect, seconds * 1000);
  }

  ui.reconnect.addEventListener("click", () => {
    state.tries = 0;
    connect();
  });

  // ---- Incoming frames ----
  function handleFrame(f) {
    switch (f.type) {
      case "message":
        if (f.conversationId === LOBBY) showMessages([f], true);
        break;
      case "history":
        if (f.requestId !== undefined && f.requestId !== state.historyRequest) break;
        if (f.conversationId !== LOBBY) break;
        state.historyRequest = null;
        const firstPage = state.cursor === undefined;
        state.cursor = f.cursor === undefined ? null : f.cursor;
        showMessages(f.messages, firstPage);
        ui.historyState.textContent = state.cursor === null ? "Start of the conversation" : "";
        if (state.cursor !== null) fillViewport();
        break;
      case "ack":
        state.unacked.delete(f.clientMessageId);
        break;
      case "error":
        console.warn("chat: the server answered an error", f.code, f.message);
        if (f.requestId !== undefined && f.requestId === state.historyRequest) {
          state.historyRequest = null;
          ui.historyState.textContent = "History unavailable (" + f.code + ")";
        }
        break;
      default:
        break; // receipts, reactions, typing and presence: not shown in this version
    }
  }

  // ---- History: the first page on connect, older pages when scrolled to the top ----
  function requestHistory() {
    if (state.historyRequest !== null || state.cursor === null) return;
    state.historyRequest = nextRequestId();
    ui.historyState.textContent = "Loading…";
    sendFrame({ action: "getHistory", conversationId: LOBBY, limit: PAGE,
                cursor: state.cursor === undefined ? null : state.cursor,
                requestId: state.historyRequest });
  }

  // While the list does not fill the pane, nobody can scroll up: fetch older pages at once.
  function fillViewport() {
    if (ui.messages.scrollHeight <= ui.messages.clientHeight) requestHistory();
  }

  ui.messages.addEventListener("scroll", () => {
    if (ui.messages.scrollTop < 40 && state.cursor !== undefined) requestHistory();
    if (nearBottom()) ui.jump.hidden = true;
  });

  function nearBottom() {
    const m = ui.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 40;
  }

  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
    ui.jump.hidden = true;
  }
  ui.jump.addEventListener("click", scrollToBottom);

  function formatTime(ms) {
    const d = new Date(ms);
    return isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function messageElement(m) {
    const li = document.createElement("li");
    li.className = "message";
    li.dataset.messageId = m.messageId;
    const meta = document.createElement("div");
    meta.className = "meta";
    const sender = document.createElement("span");
    sender.className = "sender " + colourClass(m.sender);
    sender.textContent = m.sender;
    const time = document.createElement("time");
    time.dateTime = new Date(m.createdAt).toISOString();
    time.textContent = formatTime(m.createdAt);
    meta.append(sender, time);
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = m.text;
    li.append(meta, text);
    return li;
  }

  // Inserts the messages not shown yet, each at its place by messageId. `follow`: a reader at
  // the bottom stays there; one who scrolled up keeps their place (older pages grow the top).
  function showMessages(messages, follow) {
    const m = ui.messages;
    const atBottom = nearBottom();
    const fromBottom = m.scrollHeight - m.scrollTop;
    let added = 0;
    let addedAtEnd = false;
    for (const message of messages) {
      if (state.shown.has(message.messageId)) continue;
      const li = messageElement(message);
      let lo = 0;
      let hi = state.order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (state.order[mid] < message.messageId) lo = mid + 1; else hi = mid;
      }
      const before = lo < state.order.length ? state.shown.get(state.order[lo]) : null;
      ui.list.insertBefore(li, before);
      state.order.splice(lo, 0, message.messageId);
      state.shown.set(message.messageId, li);
      if (before === null) addedAtEnd = true;
      added += 1;
    }
    if (!added) return;
    if (follow && (atBottom || state.order.length === added)) {
      scrollToBottom();
    } else {
      m.scrollTop = m.scrollHeight - fromBottom; // keeps what the reader sees in place
      if (addedAtEnd && follow) ui.jump.hidden = false;
    }
  }

  // ---- Composer ----
  function trimmedLength() {
    return [...ui.text.value.trim()].length;
  }

  function composerValid() {
    const n = trimmedLength();
    return n >= 1 && n <= MAX_TEXT;
  }

  function updateComposer() {
    const n = [...ui.text.value].length;
    ui.counter.textContent = n + " / " + MAX_TEXT;
    ui.counter.classList.toggle("over", trimmedLength() > MAX_TEXT);
    ui.send.disabled = !composerValid() || !state.ws || state.ws.readyState !== WebSocket.OPEN;
  }

  ui.text.addEventListener("input", updateComposer);
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

  function submit() {
    if (!composerValid()) return;
    const clientMessageId = randomId();
    const frame = { action: "sendMessage", conversationId: LOBBY, text: ui.text.value,
                    clientMessageId };
    if (!sendFrame(frame)) return; // not connected: the text stays in the box
    state.unacked.set(clientMessageId, frame);
    ui.text.value = "";
    updateComposer();
    scrollToBottom();
  }

  // ---- Login ----
  ui.login.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = ui.username.value;
    const problem = usernameProblem(name);
    ui.usernameError.textContent = problem || "";
    ui.username.setAttribute("aria-invalid", problem ? "true" : "false");
    if (problem) {
      ui.username.focus();
      return;
    }
    state.username = name;
    ui.login.hidden = true;
    ui.chat.hidden = false;
    ui.text.focus();
    connect();
  });
  ui.username.addEventListener("input", () => {
    ui.usernameError.textContent = "";
    ui.username.removeAttribute("aria-invalid");
  });
})();
