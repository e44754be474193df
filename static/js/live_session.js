/* live_session.js: the live session page (docs/live-protocol.md).
 *
 * The connection (reconnect, resume by number, duplicates) is ConfideLive's; this file keeps
 * the room's state, draws it, and sends what people do. HTML from the server ("html" fields)
 * has already been rendered and cleaned by community.text; names and labels go in as text.
 */
(function () {
  "use strict";

  var root = document.getElementById("live-session");
  if (!root || !window.ConfideLive) return;

  var FACILITATOR = root.hasAttribute("data-facilitator");
  var ME = Number(root.dataset.userId);
  var STATE_LABEL = { scheduled: "Scheduled", open: "Open: waiting to start", live: "Live", ended: "Ended" };

  var state = null;

  function $(selector) { return root.querySelector(selector); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "class") node.className = attrs[key];
      else if (key.indexOf("data-") === 0 || key.indexOf("aria-") === 0 || key === "type" || key === "id" || key === "for" || key === "name" || key === "value") node.setAttribute(key, attrs[key]);
      else node[key] = attrs[key];
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function button(label, attrs) { return el("button", Object.assign({ type: "button" }, attrs || {}), label); }
  function textOf(html) {
    var tmp = document.createElement("div");
    tmp.innerHTML = html;
    return tmp.textContent;
  }
  function time(iso) {
    try { return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }); } catch (e) { return ""; }
  }

  function announce(text, urgent) {
    var region = $(urgent ? "[data-announce-urgent]" : "[data-announce]");
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function showError(message) {
    var box = $("[data-error]");
    box.textContent = message;
    box.hidden = false;
    window.clearTimeout(showError.timer);
    showError.timer = window.setTimeout(function () { box.hidden = true; }, 8000);
  }

  // Redraw a list without losing the keyboard focus on the element with the same data-key.
  function redraw(container, nodes) {
    var active = document.activeElement;
    var key = active && container.contains(active) ? active.getAttribute("data-key") : null;
    container.replaceChildren.apply(container, nodes);
    if (key) {
      var again = container.querySelector('[data-key="' + key + '"]');
      if (again) again.focus();
    }
  }

  function roomName(id) {
    if (id === null || id === undefined) return "the main room";
    var room = (state.rooms || []).filter(function (r) { return r.id === id; })[0];
    return room ? room.name : "a breakout room";
  }

  // Drawing --------------------------------------------------------------------------------------

  function drawState() {
    $("[data-session-state]").textContent = STATE_LABEL[state.state] || state.state;
    var banner = $("[data-room-banner]");
    if (state.rooms_open && state.room) {
      banner.textContent = "You are in " + roomName(state.room) + ". Chat and hands here are seen only by this room.";
      banner.hidden = false;
    } else if (state.rooms_open) {
      banner.textContent = "Breakout rooms are open. You are in the main room.";
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    $("[data-chat-heading]").textContent = state.room ? "Chat in " + roomName(state.room) : "Chat";
  }

  function chatItem(message) {
    var li = el("li", { "data-key": "chat-" + message.id, class: "live__line" });
    var head = el("p", { class: "meta" });
    head.appendChild(el("strong", {}, message.author ? message.author.name : "Member"));
    head.appendChild(document.createTextNode(" · " + time(message.at)));
    li.appendChild(head);
    var body = el("p", { class: "live__text" });
    body.innerHTML = message.html;
    li.appendChild(body);
    if (FACILITATOR) {
      var tools = el("p", { class: "cluster" });
      tools.appendChild(button("Hide message", { class: "button--quiet", "data-key": "hide-" + message.id, "data-hide-chat": message.id }));
      if (message.author && message.author.id !== ME) {
        var muted = (state.muted || []).indexOf(message.author.id) >= 0;
        tools.appendChild(button(muted ? "Unmute " + message.author.name : "Mute " + message.author.name, { class: "button--quiet", "data-key": "mute-" + message.id, "data-mute": message.author.id, "data-muted": muted ? "1" : "" }));
        tools.appendChild(button("Remove " + message.author.name, { class: "button--danger", "data-key": "remove-" + message.id, "data-remove": message.author.id }));
      }
      li.appendChild(tools);
    }
    return li;
  }

  function drawChat() {
    var log = $("[data-chat]");
    var atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
    redraw(log, state.chat.map(chatItem));
    if (atEnd) log.scrollTop = log.scrollHeight;
  }

  function drawHands() {
    var mine = state.hands.filter(function (h) { return h.user.id === ME; })[0];
    var toggle = $("[data-hand-toggle]");
    toggle.textContent = mine ? "Lower my hand" : "Raise my hand";
    toggle.setAttribute("aria-pressed", mine ? "true" : "false");
    $("[data-hands-empty]").hidden = state.hands.length > 0;
    redraw($("[data-hands]"), state.hands.map(function (hand, index) {
      var li = el("li", { class: "cluster" });
      li.appendChild(el("span", {}, (index + 1) + ". " + hand.user.name + (hand.called ? " (called on)" : "")));
      if (FACILITATOR) {
        if (!hand.called) li.appendChild(button("Call on " + hand.user.name, { "data-key": "call-" + hand.user.id, "data-call": hand.user.id }));
        li.appendChild(button("Lower hand", { class: "button--quiet", "data-key": "lower-" + hand.user.id, "data-lower": hand.user.id }));
      }
      return li;
    }));
  }

  function sortQuestions() {
    state.questions.sort(function (a, b) {
      return (b.pinned - a.pinned) || (b.votes - a.votes) || (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id);
    });
  }

  function drawQuestions() {
    sortQuestions();
    redraw($("[data-questions]"), state.questions.map(function (q) {
      var li = el("li", { class: "stack" });
      var body = el("p", { class: "live__text" });
      body.innerHTML = q.html;
      li.appendChild(body);
      var meta = [q.anonymous ? "Anonymous" : q.author, q.votes + (q.votes === 1 ? " vote" : " votes")];
      if (q.pinned) meta.push("pinned");
      if (q.answered) meta.push("answered");
      li.appendChild(el("p", { class: "meta" }, meta.join(" · ")));
      var tools = el("p", { class: "cluster" });
      var voted = state.upvoted.indexOf(q.id) >= 0;
      var up = button(voted ? "Upvoted" : "Upvote", { "data-key": "up-" + q.id, "data-upvote": q.id, "aria-pressed": voted ? "true" : "false" });
      up.disabled = voted;
      tools.appendChild(up);
      if (FACILITATOR) {
        tools.appendChild(button(q.answered ? "Mark not answered" : "Mark answered", { class: "button--quiet", "data-key": "ans-" + q.id, "data-answer": q.id, "data-value": q.answered ? "" : "1" }));
        tools.appendChild(button(q.pinned ? "Unpin" : "Pin", { class: "button--quiet", "data-key": "pin-" + q.id, "data-pin": q.id, "data-value": q.pinned ? "" : "1" }));
        tools.appendChild(button("Hide question", { class: "button--danger", "data-key": "hideq-" + q.id, "data-hide-question": q.id }));
      }
      li.appendChild(tools);
      return li;
    }));
  }

  function drawPolls() {
    var shown = state.polls.filter(function (p) { return FACILITATOR || p.status !== "draft"; });
    $("[data-polls-empty]").hidden = shown.length > 0;
    redraw($("[data-polls]"), shown.slice().reverse().map(function (poll) {
      var box = el("fieldset", { class: "live__poll" });
      box.appendChild(el("legend", {}, poll.question + (poll.status === "closed" ? " (closed)" : poll.status === "draft" ? " (not opened yet)" : "")));
      var mine = state.my_votes[String(poll.id)] || [];
      var total = 0;
      Object.keys(poll.tallies || {}).forEach(function (k) { total += poll.tallies[k]; });
      var list = el("ul", { class: "list-plain" });
      poll.options.forEach(function (option) {
        var li = el("li", { class: "cluster" });
        var id = "poll-" + poll.id + "-" + option.id;
        if (poll.status === "open") {
          var input = el("input", { type: poll.kind === "single" ? "radio" : "checkbox", id: id, name: "poll-" + poll.id, value: String(option.id), "data-key": id });
          input.checked = mine.indexOf(option.id) >= 0;
          li.appendChild(input);
          li.appendChild(el("label", { for: id }, option.label));
        } else {
          li.appendChild(el("span", {}, option.label));
        }
        if (poll.tallies) {
          var count = poll.tallies[String(option.id)] || 0;
          var meter = el("meter", { min: 0, max: Math.max(total, 1), value: count, "aria-label": option.label + ": " + count + " of " + total });
          li.appendChild(meter);
          li.appendChild(el("span", { class: "meta", "data-tally": option.id }, String(count)));
        }
        list.appendChild(li);
      });
      box.appendChild(list);
      if (poll.tallies) box.appendChild(el("p", { class: "meta" }, poll.voters + (poll.voters === 1 ? " person has" : " people have") + " voted."));
      var tools = el("p", { class: "cluster" });
      if (poll.status === "open") tools.appendChild(button(mine.length ? "Change my vote" : "Vote", { "data-key": "vote-" + poll.id, "data-vote": poll.id }));
      if (FACILITATOR && poll.status === "draft") tools.appendChild(button("Open poll", { "data-key": "open-" + poll.id, "data-open-poll": poll.id }));
      if (FACILITATOR && poll.status === "open") tools.appendChild(button("Close poll", { class: "button--quiet", "data-key": "close-" + poll.id, "data-close-poll": poll.id }));
      box.appendChild(tools);
      return box;
    }));
  }

  function drawPresence() {
    $("[data-presence-count]").textContent = "(" + state.presence.length + ")";
    redraw($("[data-presence]"), state.presence.map(function (person) {
      var label = person.name + (person.id === ME ? " (you)" : "");
      var room = state.assignments[String(person.id)];
      if (FACILITATOR && room) label += " · " + roomName(room);
      return el("li", {}, label);
    }));
  }

  function drawRooms() {
    if (!FACILITATOR) return;
    var select = $("[data-rooms-visit] select");
    var current = select.value;
    var options = [el("option", { value: "" }, "Main room")].concat(state.rooms.map(function (room) {
      return el("option", { value: String(room.id) }, room.name);
    }));
    select.replaceChildren.apply(select, options);
    select.value = current;
  }

  // Why this person cannot write now, shown beside the disabled boxes (muted, or ended).
  function closedReason() {
    if (state.state === "ended") return "The session has ended: chat, hands and questions are closed.";
    if (state.me.muted) return "A facilitator has muted you for this session, so you cannot send messages or ask questions.";
    return "";
  }

  function drawComposer() {
    var reason = closedReason();
    ["[data-chat-form]", "[data-question-form]"].forEach(function (selector) {
      var form = $(selector);
      Array.prototype.forEach.call(form.querySelectorAll("textarea, input, button"), function (field) {
        field.disabled = Boolean(reason);
      });
      var note = form.querySelector("[data-closed-reason]");
      note.textContent = reason;
      note.hidden = !reason;
    });
    $("[data-hand-toggle]").disabled = state.state === "ended";
  }

  function drawSummary() {
    var section = $("[data-summary]");
    if (!section) return;
    var sum = state.summary;
    section.hidden = !sum;
    if (!sum) return;
    var facts = [
      ["People who attended", sum.attended],
      ["Chat messages", sum.messages],
      ["Questions asked", sum.questions],
      ["Questions answered", sum.answered],
      ["Polls closed", sum.polls],
    ];
    var nodes = [];
    facts.forEach(function (fact) {
      nodes.push(el("dt", {}, fact[0]));
      nodes.push(el("dd", {}, String(fact[1])));
    });
    $("[data-summary-facts]").replaceChildren.apply($("[data-summary-facts]"), nodes);
  }

  function drawAll() {
    drawSummary();
    drawComposer();
    drawState(); drawChat(); drawHands(); drawQuestions(); drawPolls(); drawPresence(); drawRooms();
  }

  // Messages from the server ------------------------------------------------------------------------

  function findPoll(id) { return state.polls.filter(function (p) { return p.id === id; })[0]; }
  function upsert(list, item, key) {
    for (var i = 0; i < list.length; i++) if (list[i][key] === item[key]) { list[i] = item; return; }
    list.push(item);
  }

  var handlers = {
    snapshot: function (m) { state = m; drawAll(); },
    skip: function () {},
    error: function (m) {
      showError(m.message);
      restoreDraft(m.request);
    },
    // Batched per server process: everyone who joined or left in the last half second.
    presence: function (m) {
      var left = m.left.concat(m.joined.map(function (p) { return p.id; }));
      state.presence = state.presence.filter(function (p) { return left.indexOf(p.id) < 0; });
      m.joined.forEach(function (p) { state.presence.push({ id: p.id, name: p.name }); });
      drawPresence();
    },
    "session.summary": function (m) { state.summary = m.summary; drawSummary(); },
    "session.state": function (m) {
      state.state = m.state;
      if (m.state === "ended") { state.rooms_open = false; state.hands = []; drawHands(); }
      drawState();
      drawComposer();
      announce("The session is now " + (STATE_LABEL[m.state] || m.state).toLowerCase() + ".");
    },
    "chat.message": function (m) {
      state.chat.push(m);
      if (state.chat.length > 200) state.chat.shift();
      drawChat();
      if (m.author.id !== ME) announce(m.author.name + " says: " + textOf(m.html));
    },
    "chat.hidden": function (m) {
      state.chat = state.chat.filter(function (c) { return c.id !== m.id; });
      drawChat();
    },
    "hand.raised": function (m) {
      state.hands.push({ user: m.user, room: m.room, at: m.at, called: false });
      drawHands();
      if (FACILITATOR && m.user.id !== ME) announce(m.user.name + " raised their hand.");
    },
    "hand.lowered": function (m) {
      state.hands = state.hands.filter(function (h) { return h.user.id !== m.user_id; });
      if (m.user_id === ME) $("[data-called]").hidden = true;
      drawHands();
    },
    "hand.called": function (m) {
      state.hands.forEach(function (h) { if (h.user.id === m.user.id) h.called = true; });
      drawHands();
      if (m.user.id === ME) {
        var called = $("[data-called]");
        called.textContent = "You have been called on. Please go ahead.";
        called.hidden = false;
        announce("You have been called on. Please go ahead.", true);
      } else {
        announce(m.user.name + " has been called on.");
      }
    },
    "question.asked": function (m) { upsert(state.questions, m.question, "id"); drawQuestions(); announce("New question."); },
    "question.updated": function (m) { upsert(state.questions, m.question, "id"); drawQuestions(); },
    "question.hidden": function (m) {
      state.questions = state.questions.filter(function (q) { return q.id !== m.id; });
      drawQuestions();
    },
    "poll.created": function (m) { upsert(state.polls, m.poll, "id"); drawPolls(); },
    "poll.opened": function (m) { upsert(state.polls, m.poll, "id"); drawPolls(); announce("A poll is open: " + m.poll.question); },
    "poll.closed": function (m) { upsert(state.polls, m.poll, "id"); drawPolls(); announce("The poll has closed."); },
    "poll.tally": function (m) {
      var poll = findPoll(m.poll_id);
      if (!poll) return;
      poll.tallies = m.tallies; poll.voters = m.voters;
      drawPolls();
    },
    "poll.voted": function (m) { state.my_votes[String(m.poll_id)] = m.option_ids; drawPolls(); announce("Your vote has been counted."); },
    "participant.muted": function (m) {
      if (m.user.id === ME) {
        state.me.muted = m.muted;
        drawComposer();
        announce(m.muted ? "A facilitator has muted you for this session." : "You can chat again.", true);
      }
      if (FACILITATOR) {
        state.muted = (state.muted || []).filter(function (id) { return id !== m.user.id; });
        if (m.muted) state.muted.push(m.user.id);
        drawChat();
      }
    },
    "participant.removed": function (m) { announce(m.user.name + " has been removed from the session."); },
    "rooms.created": function (m) { state.rooms = m.rooms; state.assignments = {}; drawRooms(); drawPresence(); },
    "rooms.assigned": function (m) {
      state.rooms = m.rooms;
      if (m.replace) state.assignments = {};
      Object.keys(m.assignments).forEach(function (k) { state.assignments[k] = m.assignments[k]; });
      drawRooms(); drawPresence();
    },
    "rooms.opened": function (m) { state.rooms_open = true; state.rooms_close_at = m.closes_at; drawState(); },
    "rooms.closed": function () { state.rooms_open = false; drawState(); announce("Everyone is back in the main room."); },
    "rooms.message": function (m) {
      state.chat.push({ id: "b" + Date.now(), author: { id: m.author.id, name: m.author.name + " (to all rooms)" }, html: m.html, at: new Date().toISOString() });
      drawChat();
      announce("Message to all rooms from " + m.author.name + ": " + textOf(m.html));
    },
  };

  var connection = window.ConfideLive.connect(root.dataset.socket, {
    stateElements: [$("[data-live-state]")],
    closedText: "You are no longer connected to this session.",
    onMessage: function (message) {
      var handler = handlers[message.type];
      if (!handler) return;
      if (!state && message.type !== "snapshot" && message.type !== "error") return;
      handler(message);
    },
  });
  window.ConfideLiveSession = connection;

  // What people do ------------------------------------------------------------------------------------

  function send(message) {
    if (connection.send(message)) return true;
    showError("Not connected. Please wait a moment and try again.");
    return false;
  }

  // What was typed is cleared only once it is on its way, and kept until the server answers:
  // an error frame naming the request puts it back (rate limit, outage), so nothing typed is lost.
  var drafts = {};

  function onSubmit(selector, build) {
    var form = $(selector);
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = build(form);
      if (!message || !send(message)) return;
      var box = form.elements.text;
      if (box) {
        drafts[message.type] = { box: box, text: box.value };
        box.value = "";
      } else if (form.hasAttribute("data-poll-form")) {
        form.reset();
      }
    });
  }

  function restoreDraft(request) {
    var draft = drafts[request];
    if (draft && !draft.box.value) draft.box.value = draft.text;
    delete drafts[request];
  }

  onSubmit("[data-chat-form]", function (form) {
    var text = form.elements.text.value.trim();
    return text ? { type: "chat.send", text: text } : null;
  });
  $("[data-chat-form] textarea").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("[data-chat-form]").requestSubmit();
    }
  });
  onSubmit("[data-question-form]", function (form) {
    var text = form.elements.text.value.trim();
    return text ? { type: "question.ask", text: text, anonymous: form.elements.anonymous.checked } : null;
  });
  onSubmit("[data-poll-form]", function (form) {
    var options = form.elements.options.value.split("\n").map(function (o) { return o.trim(); }).filter(Boolean);
    return { type: "poll.create", question: form.elements.question.value.trim(), kind: form.elements.kind.value, options: options };
  });
  onSubmit("[data-rooms-create]", function (form) { return { type: "rooms.create", count: Number(form.elements.count.value) }; });
  onSubmit("[data-rooms-open]", function (form) { return { type: "rooms.open", minutes: Number(form.elements.minutes.value) }; });
  onSubmit("[data-rooms-broadcast]", function (form) {
    var text = form.elements.text.value.trim();
    return text ? { type: "rooms.broadcast", text: text } : null;
  });
  onSubmit("[data-rooms-visit]", function (form) {
    var value = form.elements.room.value;
    return { type: "rooms.visit", room_id: value ? Number(value) : null };
  });

  root.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || !root.contains(target)) return;
    var d = target.dataset;
    if (target.hasAttribute("data-hand-toggle")) {
      var mine = state && state.hands.some(function (h) { return h.user.id === ME; });
      send({ type: mine ? "hand.lower" : "hand.raise" });
    } else if (d.stateTo) {
      if (d.stateTo !== "ended" || window.confirm("End the session for everyone?")) send({ type: "session.state", state: d.stateTo });
    } else if (d.hideChat) send({ type: "chat.hide", message_id: Number(d.hideChat) });
    else if (d.mute) send({ type: "participant.mute", user_id: Number(d.mute), muted: !d.muted });
    else if (d.remove) {
      if (window.confirm("Remove this person from the session? They cannot come back.")) send({ type: "participant.remove", user_id: Number(d.remove) });
    } else if (d.call) send({ type: "hand.call", user_id: Number(d.call) });
    else if (d.lower) send({ type: "hand.lower", user_id: Number(d.lower) });
    else if (d.upvote) send({ type: "question.upvote", question_id: Number(d.upvote) });
    else if (d.answer) send({ type: "question.answer", question_id: Number(d.answer), answered: !!d.value });
    else if (d.pin) send({ type: "question.pin", question_id: Number(d.pin), pinned: !!d.value });
    else if (d.hideQuestion) send({ type: "question.hide", question_id: Number(d.hideQuestion) });
    else if (d.openPoll) send({ type: "poll.open", poll_id: Number(d.openPoll) });
    else if (d.closePoll) send({ type: "poll.close", poll_id: Number(d.closePoll) });
    else if (d.vote) {
      var chosen = Array.prototype.map.call(
        root.querySelectorAll('input[name="poll-' + d.vote + '"]:checked'),
        function (input) { return Number(input.value); }
      );
      if (!chosen.length) showError("Choose an option first.");
      else send({ type: "poll.vote", poll_id: Number(d.vote), option_ids: chosen });
    } else if (target.hasAttribute("data-rooms-assign")) send({ type: "rooms.assign", mode: "random" });
    else if (target.hasAttribute("data-rooms-close")) send({ type: "rooms.close" });
  });
})();
