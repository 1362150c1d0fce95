// Forms marked [data-auto-submit] send themselves (through htmx, if the form has hx-get)
// shortly after a field changes, so filtering needs no extra click. The submit button stays
// for keyboard and no-JS users.
(function () {
  "use strict";
  var timer = null;
  function submit(form) {
    if (window.htmx && form.hasAttribute("hx-get")) {
      window.htmx.trigger(form, "submit");
    } else {
      form.requestSubmit();
    }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-auto-submit]");
    if (form && event.target.type !== "search" && event.target.type !== "text") { submit(form); }
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-auto-submit]");
    if (!form || (event.target.type !== "search" && event.target.type !== "text")) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { submit(form); }, 400);
  });
})();
