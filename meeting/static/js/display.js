// The shared display never scrolls, so a block that may hold more than its share of the
// screen (marked data-fit) is fitted to its box: its type steps down, and where it may
// (data-fit-columns) it spreads into columns, until nothing in it overflows.
// - The type never goes below its floor (data-fit-min, a fraction of the starting size).
// - A block with data-fit-tight (a fraction too) is drawn tighter once its type is down to
//   that size and still too big: the class fit-tight lets its long texts be cut shorter,
//   so many people's reasons stay readable rather than all becoming small.
// - What still does not fit at the floor is cut, and the block is marked fit-clipped so
//   the scene can say so.
(function () {
  "use strict";
  var STEP = 0.94;
  // A column narrower than this many ems reads badly, so no more columns than that allows.
  var MEASURE = 18;

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
    el.classList.remove("fit-clipped", "fit-tight");
    var start = parseFloat(getComputedStyle(el).fontSize);
    var floor = start * parseFloat(el.dataset.fitMin || "0.6");
    var tight = el.dataset.fitTight ? start * parseFloat(el.dataset.fitTight) : 0;
    var most = parseInt(el.dataset.fitColumns || "1", 10);
    for (var size = start; ; size = Math.max(size * STEP, floor)) {
      if (fitsAt(el, size, most)) return;
      if (tight && size <= tight && !el.classList.contains("fit-tight")) {
        el.classList.add("fit-tight");
        if (fitsAt(el, size, most)) return;
      }
      if (size <= floor) break;
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
