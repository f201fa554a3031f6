// Every page: side-scrolling boxes (wide tables, the chart, code) that are wider than the
// screen become reachable with the keyboard (Tab, then the arrow keys) and are named for a
// screen reader. Boxes that fit are left alone, so they add no useless Tab stop.
(function () {
  "use strict";
  var SELECTOR = ".table-wrap, .chart-wrap, .prose table, .prose pre";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    if (box.dataset.label) return box.dataset.label;
    var previous = box.previousElementSibling;
    while (previous && !/^H[1-6]$/.test(previous.tagName)) previous = previous.previousElementSibling;
    return previous ? previous.textContent.trim() : document.title;
  }

  function mark() {
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollMarked = "1";
        if (box.tagName === "DIV") {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", nameOf(box));
        }
      } else if (!scrolls && box.dataset.scrollMarked) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollMarked;
        if (box.tagName === "DIV") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();
