// The shared display never scrolls, so a block that may hold more than its share of the
// screen (marked data-fit) is fitted to its box: its type steps down, and where it may
// (data-fit-columns) it spreads into columns, until nothing in it overflows.
// - The type never goes below its floor: data-fit-min (a fraction of the starting size),
//   and never below the display's small print (--small in display.css: three quarters of
//   the body's type), which is read from the back of the room.
// - Long texts stay whole while there is room. A block with data-fit-lines that still does
//   not fit at its floor cuts them (its .clamp texts, reasons and quotes) to that many
//   lines, then fewer, and stops at the most lines that fit: many people's reasons stay
//   readable rather than all becoming small, and none is cut while there is room for it.
// - What still does not fit is cut, and the block is marked fit-clipped so the scene can
//   say so.
(function () {
  "use strict";
  var STEP = 0.94;
  // A column narrower than this many ems reads badly, so no more columns than that allows.
  var MEASURE = 18;
  // The small print: --small in display.css.
  var SMALL = 0.75;

  function overflows(el) {
    return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  }

  function fitsAt(el, size, most) {
    el.style.fontSize = size + "px";
    var columns = Math.max(1, Math.min(most, Math.floor(el.clientWidth / (MEASURE * size))));
    for (var n = 1; n <= columns; n++) {
      if (most > 1) el.style.columnCount = String(n);
      if (!overflows(el)) return true;
    }
    return false;
  }

  function fit(el) {
    el.style.fontSize = "";
    el.style.columnCount = "";
    el.style.removeProperty("--lines");
    el.classList.remove("fit-clipped");
    var start = parseFloat(getComputedStyle(el).fontSize);
    var small = SMALL * parseFloat(getComputedStyle(document.body).fontSize);
    var floor = Math.min(start, Math.max(start * parseFloat(el.dataset.fitMin || "0.6"), small));
    var most = parseInt(el.dataset.fitColumns || "1", 10);
    for (var size = start; ; size = Math.max(size * STEP, floor)) {
      if (fitsAt(el, size, most)) return;
      if (size <= floor) break;
    }
    for (var lines = parseInt(el.dataset.fitLines || "0", 10); lines >= 1; lines--) {
      el.style.setProperty("--lines", String(lines));
      if (fitsAt(el, floor, most)) return;
    }
    el.classList.add("fit-clipped");
  }

  function fitAll(root) {
    if (root.matches && root.matches("[data-fit]")) fit(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-fit]").forEach(fit);
  }

  // New content (the first page, and every scene swapped in since) is fitted as it arrives.
  htmx.onLoad(fitAll);

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fitAll(document);
    });
  });
})();
