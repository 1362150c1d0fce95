// A table wider than its column scrolls inside its `.table-wrap` (see sachstand.css), never
// the page (WCAG 1.4.10 Reflow). While it overflows, the wrapper is a named region that takes
// keyboard focus, so the arrow keys scroll it; the name is the table's caption, or else the
// first heading of the article or section it stands in. Checked again after htmx swaps and on resize.
(function () {
  "use strict";
  var counter = 0;

  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    var label = caption;
    if (!label) {
      var container = wrap.closest("article, section");
      label = container ? container.querySelector("h2, h3, h4") : null;
    }
    if (!label) { return null; }
    if (!label.id) { label.id = "scroll-region-label-" + (++counter); }
    return label.id;
  }

  function update(wrap) {
    var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
    var label = overflows ? labelFor(wrap) : null;
    if (overflows && label) {
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-labelledby", label);
      wrap.setAttribute("tabindex", "0");
    } else if (wrap.getAttribute("role") === "region") {
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-labelledby");
      wrap.removeAttribute("tabindex");
    }
  }

  function updateAll() {
    document.querySelectorAll(".table-wrap").forEach(update);
  }

  var pending = null;
  function later() {
    if (pending) { return; }
    pending = window.requestAnimationFrame(function () { pending = null; updateAll(); });
  }

  document.addEventListener("DOMContentLoaded", updateAll);
  document.addEventListener("htmx:load", later);
  window.addEventListener("resize", later);
})();
