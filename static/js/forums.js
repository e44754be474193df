/* forums.js: a topic page receives new and edited posts live (DESIGN.md, live layer).
 * The server renders each post with the same template partial as the page; this script only
 * places it and announces it politely. Works without it: the page is complete on its own. */
(function () {
  "use strict";

  function start() {
    var list = document.querySelector("[data-forum-posts]");
    if (!list || !window.ConfideLive) return;
    var announcer = document.querySelector("[data-forum-announce]");
    var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
    var token = tokenInput ? tokenInput.value : "";
    var append = list.dataset.append === "1";

    function announce(text) {
      if (!announcer) return;
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    }

    function place(message) {
      var template = document.createElement("template");
      template.innerHTML = message.html;
      var node = template.content.firstElementChild;
      if (!node) return;
      node.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
        if (!input.value) input.value = token;
      });
      var author = node.querySelector(".forum-post__author");
      var who = author ? author.textContent : "a member";
      var existing = document.getElementById("post-" + message.post_id);
      if (existing) {
        existing.replaceWith(node);
        announce("A post by " + who + " was updated.");
      } else if (append) {
        list.appendChild(node);
        announce("New reply from " + who + ".");
      } else {
        announce("New reply from " + who + " on the last page.");
      }
    }

    window.ConfideLive.connect("/ws/forums/topics/" + list.dataset.topicId + "/", {
      lastSeq: parseInt(list.dataset.lastSeq, 10) || 0,
      stateElements: Array.prototype.slice.call(document.querySelectorAll("[data-live-state]")),
      closedText: "Live updates stopped. Reload the page to see new replies.",
      onMessage: function (message) {
        if (message.type === "post") place(message);
      },
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
