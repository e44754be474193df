// The header's menu button: on a narrow screen the menu folds behind it. Without this script
// (or on a wide screen) the menu is simply shown. Escape closes it and returns focus.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  if (!button) return;
  var menu = document.getElementById(button.getAttribute("aria-controls"));
  var narrow = window.matchMedia("(max-width: 52rem)");

  function open() { return button.getAttribute("aria-expanded") === "true"; }
  function sync() {
    button.hidden = !narrow.matches;
    menu.hidden = narrow.matches && !open();
  }
  function set(expanded) {
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    sync();
  }
  button.addEventListener("click", function () { set(!open()); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && open()) {
      set(false);
      button.focus();
    }
  });
  narrow.addEventListener("change", function () { set(false); });
  sync();
})();
