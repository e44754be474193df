/* live.js: the one WebSocket client of Confide (DESIGN.md, live layer).
 *
 * - reconnects with exponential backoff and jitter;
 * - resumes by sequence number: durable messages carry `seq`; duplicates (seq <= last seen) are
 *   dropped, and a gap (seq > last + 1) asks the server for what was missed;
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

  function LiveConnection(path, options) {
    this.path = path;
    this.options = options || {};
    this.lastSeq = this.options.lastSeq || 0;
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
    } else if (typeof message.seq === "number") {
      if (message.seq <= this.lastSeq) return; // already seen
      if (message.seq > this.lastSeq + 1) {
        // A gap: something was lost on the way. Ask again from what we have.
        this.send({ type: "resume", last_seq: this.lastSeq });
        return;
      }
      this.lastSeq = message.seq;
    }
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
