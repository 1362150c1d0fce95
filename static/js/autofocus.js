// Moves focus to an element marked [data-autofocus] (the error summary or the conflict notice)
// when the page loads, so screen reader and keyboard users land on what went wrong.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-autofocus]");
    if (target) { target.focus(); }
  });
})();
