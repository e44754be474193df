/* events.js: on an event page where you are waiting (waiting list or approval), refresh
 * "Your place" when a new notice arrives, so a freed seat shows without reloading. The
 * connection is ConfideLive's (the notifications socket); the page works without it. */
(function () {
  "use strict";

  function start() {
    var place = document.querySelector("[data-event-place][data-event-watch]");
    if (!place || !window.ConfideLive) return;
    var seen = null;
    var connection = window.ConfideLive.connect("/ws/notifications/", {
      onMessage: function (message) {
        if (message.type !== "unread") return;
        var first = seen === null;
        var grew = !first && message.count > seen;
        seen = message.count;
        if (grew) refresh();
      },
    });

    function refresh() {
      fetch(place.dataset.eventPlace, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("[data-event-place]");
          if (!fresh) return;
          // Keep the live region in the page so the change is announced, then swap its content.
          var region = place.querySelector("[aria-live]");
          var freshRegion = fresh.querySelector("[aria-live]");
          if (region && freshRegion) region.innerHTML = freshRegion.innerHTML;
          if (!fresh.hasAttribute("data-event-watch")) connection.close();
        });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
