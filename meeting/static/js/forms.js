// Forms that are safe to press twice.
// - Forms (or their buttons) marked data-confirm ask before they submit: closing a
//   meeting, circulating minutes.
// - A form's buttons are disabled while it is being sent, so a double click sends it once.
// - Buttons marked data-hold="ms" stay disabled for that long after they appear, so a
//   second click meant for the button that was there before (Reveal) cannot land on the
//   next step's button (Open round 2) that takes its place.
// - Buttons marked data-print open the browser's print dialog.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset && button.dataset.confirm) ||
      (form.dataset && form.dataset.confirm);
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    // After this event, so the pressed button's name and value are still sent.
    setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  }, true);

  // Coming back with the browser's Back button shows the page as it was left.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  });

  function hold(root) {
    root.querySelectorAll("[data-hold]").forEach(function (button) {
      button.disabled = true;
      setTimeout(function () { button.disabled = false; }, Number(button.dataset.hold) || 1000);
    });
  }
  hold(document);
  document.body.addEventListener("htmx:afterSwap", function (event) { hold(event.target); });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
