// Forms (or their buttons) marked data-confirm ask before they submit: closing a meeting,
// circulating minutes. Buttons marked data-print open the browser's print dialog.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.dataset && button.dataset.confirm) ||
    (form.dataset && form.dataset.confirm);
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
