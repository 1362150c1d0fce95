// Up/down buttons for ordered formset rows: [data-reorder-list] holds [data-reorder-item]s,
// each with an order input [data-reorder-order] and buttons [data-reorder="up"|"down"].
// Without JavaScript the order numbers can be typed in; the buttons are then hidden.
// Elements with [data-reorder-text="Goal {n}"] are renumbered after each move.
(function () {
  "use strict";

  function renumber(list) {
    var position = 1;
    list.querySelectorAll("[data-reorder-item]").forEach(function (item) {
      var input = item.querySelector("[data-reorder-order]");
      if (input) { input.value = position; }
      // Legends and button names say "Goal 2": keep them true to the new position.
      item.querySelectorAll("[data-reorder-text]").forEach(function (element) {
        element.textContent = element.getAttribute("data-reorder-text").replace("{n}", position);
      });
      position += 1;
    });
  }

  function announce(list, text) {
    var live = list.querySelector("[data-reorder-status]");
    if (live) { live.textContent = text; }
  }

  function move(button) {
    var item = button.closest("[data-reorder-item]");
    var list = button.closest("[data-reorder-list]");
    if (!item || !list) { return; }
    var up = button.getAttribute("data-reorder") === "up";
    var sibling = up ? item.previousElementSibling : item.nextElementSibling;
    while (sibling && !sibling.hasAttribute("data-reorder-item")) {
      sibling = up ? sibling.previousElementSibling : sibling.nextElementSibling;
    }
    if (!sibling) { return; }
    if (up) { list.insertBefore(item, sibling); } else { list.insertBefore(sibling, item); }
    renumber(list);
    button.focus();
    var order = item.querySelector("[data-reorder-order]");
    announce(list, (list.getAttribute("data-reorder-moved") || "Position: ") + (order ? order.value : ""));
  }

  function init(root) {
    root.querySelectorAll("[data-reorder-list]").forEach(function (list) {
      list.classList.add("reorder--enhanced");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reorder]");
    if (button) {
      event.preventDefault();
      move(button);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
