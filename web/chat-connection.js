// The web client's WebSocket: connecting with the username, the status indicator's states and
// reconnection with backoff (3, 6, 12, 24, 48 s, then the Reconnect button). app.js gives it
// what to do with frames and with an open or closed socket: window.ChatConnection.
"use strict";

window.ChatConnection = function (options) {
  // options: url() -> the WebSocket URL; username() -> the name; status(kind, text);
  // showReconnect(bool); onOpen(); onFrame(frame); onClose().
  const BACKOFF_SECONDS = [3, 6, 12, 24, 48]; // at most five tries, then the Reconnect button
  let ws = null;
  let opened = false; // the current socket opened (a close before that is a failed attempt)
  let tries = 0; // failed attempts since the last open connection
  let retryTimer = null;

  function connect() {
    clearTimeout(retryTimer);
    options.showReconnect(false);
    options.status("connecting", "Connecting…");
    const url = new URL(options.url());
    url.searchParams.set("username", options.username());
    let socket;
    try {
      socket = new WebSocket(url.toString());
    } catch (e) {
      options.status("error", "Error: " + e.message);
      options.showReconnect(true);
      return;
    }
    ws = socket;
    opened = false;
    socket.addEventListener("open", () => {
      if (ws !== socket) return;
      opened = true;
      tries = 0;
      options.status("connected", "Connected"); // the name is beside it, in the bar
      options.onOpen();
    });
    socket.addEventListener("message", (event) => {
      if (ws !== socket) return;
      const frame = window.ChatCore.parseFrame(event.data);
      if (frame) options.onFrame(frame);
    });
    socket.addEventListener("close", () => {
      if (ws !== socket) return;
      ws = null;
      options.onClose();
      scheduleRetry(opened);
    });
  }

  // After a drop ("disconnected") or a failed attempt ("error": refused, as the authorizer
  // refuses a name with 401, or unreachable; a browser cannot tell which).
  function scheduleRetry(wasOpen) {
    if (tries >= BACKOFF_SECONDS.length) {
      options.status("error", "Disconnected: the chat cannot be reached");
      options.showReconnect(true);
      return;
    }
    const seconds = BACKOFF_SECONDS[tries];
    tries += 1;
    const retry = "retrying in " + seconds + " s (" + tries + " of " +
      BACKOFF_SECONDS.length + ")";
    if (wasOpen) options.status("disconnected", "Disconnected; " + retry);
    else options.status("error", "Cannot connect (refused or unreachable); " + retry);
    retryTimer = setTimeout(connect, seconds * 1000);
  }

  // The Reconnect button, or the browser back online: a fresh round of tries at once.
  function again() {
    tries = 0;
    connect();
  }

  return {
    connect,
    again,
    idle: () => ws === null,
    open: () => ws !== null && ws.readyState === WebSocket.OPEN,
    send(frame) {
      if (ws === null || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    close() {
      if (ws) ws.close();
    },
  };
};

// Where the stack is: ?ws=URL, else the launcher's config.js, else the default local port.
window.ChatConnection.url = function () {
  const fromQuery = new URLSearchParams(location.search).get("ws");
  if (fromQuery) return fromQuery;
  const config = window.CHAT_CONFIG || {};
  if (typeof config.websocketUrl === "string" && config.websocketUrl) return config.websocketUrl;
  return "ws://" + (location.hostname || "127.0.0.1") + ":3002/chat";
};
