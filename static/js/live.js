/* live.js: the one WebSocket client of Confide (DESIGN.md, live layer).
 *
 * - reconnects with exponential backoff and jitter;
 * - resumes by sequence number: durable messages carry `seq` and are handed on in number order;
 *   duplicates (seq <= last seen) are dropped; one that comes early waits for those before it,
 *   and a gap still open after GAP_WAIT asks the server for what was missed (the server fills
 *   most gaps itself first, so 200 clients do not ask at once);
 * - asks again every CHECK_EVERY ms while connected, because a bell the channel layer dropped
 *   (a full channel) leaves no gap to notice until the next message, which may never come;
 * - shows the connection state in any element with [data-live-state] for that connection.
 */
(function () {
  "use strict";

  var STATE_TEXT = {
    connecting: "Connecting…",
    open: "Connected",
    reconnecting: "Connection lost. Reconnecting…",
    closed: "Disconnected",
  };

  var CHECK_EVERY = 20000;
  var GAP_WAIT = 2000;

  function LiveConnection(path, options) {
    this.path = path;
    this.options = options || {};
    this.lastSeq = this.options.lastSeq || 0;
    this.ahead = {};
    this.gapTimer = null;
    this.attempt = 0;
    this.stopped = false;
    this.socket = null;
    this.stateElements = this.options.stateElements || [];
    this.connect();
  }

  LiveConnection.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + this.path;
  };

  LiveConnection.prototype.setState = function (state, detail) {
    this.state = state;
    this.stateElements.forEach(function (el) {
      el.dataset.state = state;
      el.textContent = detail || STATE_TEXT[state] || state;
    });
    if (this.options.onState) this.options.onState(state);
  };

  LiveConnection.prototype.connect = function () {
    var self = this;
    self.setState(self.attempt ? "reconnecting" : "connecting");
    var socket = new WebSocket(self.url());
    self.socket = socket;
    socket.addEventListener("open", function () {
      self.attempt = 0;
      self.setState("open");
      if (self.lastSeq > 0) self.send({ type: "resume", last_seq: self.lastSeq });
      window.clearInterval(self.checker);
      self.checker = window.setInterval(function () {
        // Only connections that number their messages can ask what they missed.
        if (self.socket === socket && self.lastSeq > 0) self.send({ type: "resume", last_seq: self.lastSeq });
      }, self.options.checkEvery || CHECK_EVERY);
      if (self.options.onOpen) self.options.onOpen(self);
    });
    socket.addEventListener("message", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      self.handle(message);
    });
    socket.addEventListener("close", function (event) {
      if (self.socket !== socket) return;
      window.clearInterval(self.checker);
      // 4400-4499: the server refused us (signed out, removed, not allowed): do not retry.
      if (self.stopped || (event.code >= 4400 && event.code < 4500)) {
        self.stopped = true;
        self.setState("closed", self.options.closedText);
        if (self.options.onClosed) self.options.onClosed(event.code);
        return;
      }
      self.scheduleReconnect();
    });
  };

  LiveConnection.prototype.scheduleReconnect = function () {
    var self = this;
    self.attempt += 1;
    self.setState("reconnecting");
    var base = Math.min(30000, 500 * Math.pow(2, self.attempt - 1));
    var delay = base / 2 + Math.random() * base / 2;
    window.setTimeout(function () { if (!self.stopped) self.connect(); }, delay);
  };

  LiveConnection.prototype.handle = function (message) {
    if (message.type === "snapshot") {
      this.lastSeq = message.seq || 0;
      this.deliver(message);
      this.release();
    } else if (typeof message.seq === "number") {
      if (message.seq <= this.lastSeq || this.ahead[message.seq]) return; // already seen
      this.ahead[message.seq] = message;
      this.release();
    } else {
      this.deliver(message);
    }
  };

  // Numbers are handed on in order: one that comes early waits here for those before it.
  // The server fills its own gaps (it reads a missing number once per process), so a gap
  // that lasts GAP_WAIT is rare; only then does this client ask, once per GAP_WAIT.
  LiveConnection.prototype.release = function () {
    var self = this;
    Object.keys(self.ahead).forEach(function (seq) {
      if (Number(seq) <= self.lastSeq) delete self.ahead[seq];
    });
    var next;
    while ((next = self.ahead[self.lastSeq + 1])) {
      delete self.ahead[next.seq];
      self.lastSeq = next.seq;
      self.deliver(next);
    }
    var waiting = Object.keys(self.ahead).length > 0;
    if (!waiting) {
      window.clearTimeout(self.gapTimer);
      self.gapTimer = null;
    } else if (!self.gapTimer) {
      self.gapTimer = window.setTimeout(function () {
        self.gapTimer = null;
        if (Object.keys(self.ahead).length) {
          self.send({ type: "resume", last_seq: self.lastSeq });
          self.release();
        }
      }, self.options.gapWait || GAP_WAIT);
    }
  };

  LiveConnection.prototype.deliver = function (message) {
    if (this.options.onMessage) this.options.onMessage(message, this);
  };

  LiveConnection.prototype.send = function (message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };

  LiveConnection.prototype.close = function () {
    this.stopped = true;
    if (this.socket) this.socket.close();
  };

  window.ConfideLive = { connect: function (path, options) { return new LiveConnection(path, options); } };

  // The header's unread badge: present on every signed-in page.
  function startBadge() {
    var badge = document.querySelector("[data-unread-count]");
    if (!badge) return;
    window.ConfideLive.connect("/ws/notifications/", {
      onMessage: function (message) {
        if (message.type !== "unread") return;
        badge.textContent = message.count ? String(message.count) : "";
        var label = document.querySelector("[data-unread-label]");
        if (label) label.textContent = message.count ? ", " + message.count + " unread" : "";
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startBadge);
  else startBadge();
})();
