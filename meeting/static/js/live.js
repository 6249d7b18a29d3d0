// Live updates: the server rings with the names of the regions that changed, and
// each region on this page fetches itself again. On every (re)connect the whole
// page re-reads its regions, so a page that missed events is correct again.
(function () {
  "use strict";
  var body = document.body;
  var meeting = body.dataset.liveMeeting;
  var display = body.dataset.liveDisplay;
  if (!meeting && !display) return;
  if (window.meetingSocket) return;

  var status = document.getElementById("connection");
  function showStatus(text, ok) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("offline", !ok);
  }

  function refresh(names) {
    document.querySelectorAll("[data-region]").forEach(function (el) {
      if (!names || names.indexOf(el.dataset.region) !== -1) htmx.trigger(el, "refresh");
    });
  }

  var socket = io({ auth: { meeting: meeting || null, display: display || null } });
  window.meetingSocket = socket;
  var connectedBefore = false;

  socket.on("connect", function () {
    showStatus("Live", true);
    // The first connect also catches anything that changed while the page loaded.
    refresh(null);
    connectedBefore = true;
  });
  socket.on("disconnect", function () { showStatus("Reconnecting…", false); });
  socket.on("connect_error", function () {
    showStatus(connectedBefore ? "Reconnecting…" : "Not live: reload the page", false);
  });
  socket.on("changed", function (message) {
    if (message.reload) { window.location.reload(); return; }
    refresh(message.regions || []);
  });
})();
