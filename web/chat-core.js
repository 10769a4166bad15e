// The web client's pure helpers (no DOM): the protocol's shapes (schemas/chat-protocol.md),
// the checks the server makes, frame validation, colours and names. app.js uses them through
// window.ChatCore.
"use strict";

window.ChatCore = (function () {
  const LOBBY = "lobby";
  const MAX_TEXT = 1000; // code points after trimming, as the server counts them
  const MAX_GROUP_MEMBERS = 98; // besides the caller (99 with them: services/chat/validate.h)
  const MAX_GROUP_NAME = 100;
  const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
  // The ids the backend makes: the lobby, dm- and 24 lower-case hex digits, grp- and a ULID.
  const CONVERSATION_ID = /^(lobby|dm-[0-9a-f]{24}|grp-[0-9A-HJKMNP-TV-Z]{26})$/;
  const PALETTE_SIZE = 8; // .user-0 ... .user-7 in style.css

  const codePoints = (s) => [...s].length;

  // As the $connect authorizer checks it: 2 to 20 of [A-Za-z0-9 _-], no space at either end.
  function usernameProblem(name) {
    const length = codePoints(name);
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

  function kindOf(conversationId) {
    if (conversationId === LOBBY) return "lobby";
    return conversationId.startsWith("dm-") ? "direct" : "group";
  }

  // What the inbox and the pane's heading call a conversation.
  function title(conv, me) {
    if (conv.kind === "lobby") return "Lobby";
    if (conv.kind === "direct") {
      const others = conv.members.filter((m) => m !== me);
      return others.length ? others.join(", ") : conv.members.length ? me : "Direct conversation";
    }
    return conv.name || "Group";
  }

  // "a", "a and b", "a, b and c", "a, b, c and 2 others".
  function names(list, most) {
    if (list.length <= most) {
      return list.length <= 1 ? list.join("") :
        list.slice(0, -1).join(", ") + " and " + list[list.length - 1];
    }
    const rest = list.length - most;
    return list.slice(0, most).join(", ") + " and " + rest + (rest === 1 ? " other" : " others");
  }

  function typingLine(who) {
    if (!who.length) return "";
    return names([...who].sort(), 2) + (who.length === 1 ? " is typing…" : " are typing…");
  }

  // Where each reader's "Seen by" goes: under the newest of our messages (`mine`, ids
  // ascending) at or before the message they read. Returns messageId -> readers, sorted.
  function receipts(mine, reads, me) {
    const at = new Map();
    for (const [reader, readId] of reads) {
      if (reader === me) continue;
      let lo = 0;
      let hi = mine.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (mine[mid] <= readId) lo = mid + 1; else hi = mid;
      }
      if (lo === 0) continue;
      const id = mine[lo - 1];
      if (!at.has(id)) at.set(id, []);
      at.get(id).push(reader);
    }
    for (const readers of at.values()) readers.sort();
    return at;
  }

  // A group's form: the name and the members (comma or space separated) as the server checks
  // them. Returns {error} or {name, members}.
  function groupProblem(name, membersText, me) {
    const trimmed = name.trim();
    if (codePoints(trimmed) < 1 || codePoints(trimmed) > MAX_GROUP_NAME) {
      return { error: "A group's name has 1 to " + MAX_GROUP_NAME + " characters." };
    }
    const members = [];
    for (const raw of membersText.split(",")) {
      const m = raw.trim();
      if (!m || m === me || members.includes(m)) continue;
      const problem = usernameProblem(m);
      if (problem) return { error: "\"" + m + "\": " + problem };
      members.push(m);
    }
    if (!members.length) return { error: "Name at least one member besides you." };
    if (members.length > MAX_GROUP_MEMBERS) {
      return { error: "A group has at most " + MAX_GROUP_MEMBERS + " members besides you." };
    }
    return { name: trimmed, members };
  }

  // ---- Validation of incoming frames: anything else is dropped with a console warning. ----
  const isString = (v) => typeof v === "string";
  const isOptString = (v) => v === undefined || v === null || typeof v === "string";
  const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
  const isStrings = (v) => Array.isArray(v) && v.every(isString);

  function validMessage(m) {
    return m !== null && typeof m === "object" && isString(m.conversationId) &&
      isString(m.messageId) && ULID.test(m.messageId) && isString(m.sender) &&
      isString(m.text) && isNumber(m.createdAt);
  }

  function validInboxItem(i) {
    return i !== null && typeof i === "object" && isString(i.conversationId) &&
      CONVERSATION_ID.test(i.conversationId) && isString(i.kind) && isOptString(i.name) &&
      isStrings(i.members) && isNumber(i.unread) && isNumber(i.lastActivity) &&
      isOptString(i.lastMessageId) && isOptString(i.lastSender) && isOptString(i.lastText);
  }

  const VALIDATORS = {
    message: validMessage,
    history: (f) => isString(f.conversationId) && Array.isArray(f.messages) &&
      f.messages.every(validMessage) && isOptString(f.cursor),
    ack: (f) => isString(f.clientMessageId) && isString(f.messageId) &&
      isString(f.conversationId),
    error: (f) => isString(f.code) && isOptString(f.message),
    pong: () => true,
    presence: (f) => Array.isArray(f.users) && f.users.every((u) => u !== null &&
      typeof u === "object" && isString(u.username) && typeof u.online === "boolean"),
    presenceList: (f) => Array.isArray(f.users) && f.users.every((u) => u !== null &&
      typeof u === "object" && isString(u.username) && typeof u.online === "boolean"),
    read: (f) => isString(f.conversationId) && isString(f.username) && isString(f.messageId),
    reaction: (f) => isString(f.conversationId) && isString(f.messageId) &&
      isString(f.username) && isString(f.emoji) && typeof f.added === "boolean",
    typing: (f) => isString(f.conversationId) && isString(f.username),
    conversation: (f) => isString(f.conversationId) && CONVERSATION_ID.test(f.conversationId) &&
      isString(f.kind) && isOptString(f.name) && isStrings(f.members),
    conversations: (f) => Array.isArray(f.items) && f.items.every(validInboxItem) &&
      isOptString(f.cursor),
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

  return {
    LOBBY, MAX_TEXT, CONVERSATION_ID, codePoints, usernameProblem, colourClass, randomId,
    kindOf, title, names, typingLine, receipts, groupProblem, parseFrame,
  };
})();
