// Live updates: the server rings with the names of the regions that changed, and each
// region on this page that is named fetches itself again, unless the ring
// brought it already drawn (the regions drawn alike for everyone in this page's audience).
// - The page was drawn at a mark (data-as-of, the newest line of the meeting's event log);
//   on its first connect the server says whether anything changed since, so a fresh page
//   fetches nothing it already shows. On a reconnect every region is read again.
// - Losing the connection shows a banner that stays in view until it is back; a connection
//   the server closes on purpose loads the page again instead.
// - In the stage, which every attendee is sent alike, the page marks its person's own
//   rating (data-me on the body, data-rater on each row).
// - Something new to hear (a round opened, someone rated, a reveal) is announced in a
//   polite live region; a new step for this person (data-step) is scrolled into view.
(function () {
  "use strict";
  var body = document.body;
  var meeting = body.dataset.liveMeeting;
  var display = body.dataset.liveDisplay;
  if (!meeting && !display) return;
  if (window.meetingSocket) return;

  var status = document.getElementById("connection");
  var banner = document.getElementById("offline");
  var announcer = document.getElementById("announcer");
  function showStatus(text, ok) {
    if (status) {
      status.textContent = text;
      status.classList.toggle("offline", !ok);
    }
    if (banner) banner.hidden = ok;
    body.classList.toggle("is-offline", !ok);
  }

  function refresh(names, drawn, theirs) {
    drawn = drawn || {};
    document.querySelectorAll("[data-region]").forEach(function (el) {
      var own = el.dataset.region;
      // A region showing something of this person's own is fetched, never swapped for what
      // everyone is sent (unless it was drawn for them: the chair's screens). What the
      // person has typed, or is sending, is kept either way (forms.js).
      var personal = !theirs && stillTheirs(el, drawn[own]);
      // While the place has a request on its way, what comes back may have been drawn
      // before this news: it reads itself again after that, rather than be painted over.
      var busy = el.classList.contains("htmx-request") || el.querySelector(".htmx-request");
      if (Object.prototype.hasOwnProperty.call(drawn, own) && !personal && !busy) {
        swapIn(el, drawn[own]);
        return;
      }
      if (!names || names.indexOf(own) !== -1) readAgain(el);
    });
  }

  // A region reads itself again once for any number of rings that arrive before its
  // request is sent: its requests queue behind the place's others (macros.html `place`).
  function readAgain(el) {
    if (el.meetingReadQueued) return;
    el.meetingReadQueued = true;
    htmx.trigger(el, "refresh");
  }
  body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.meetingReadQueued) event.detail.elt.meetingReadQueued = false;
  });

  // Whether a region shows something of this person's own that what everyone is sent
  // (`html`) would replace: marked data-personal, "always" or while its round is still
  // the one being rated (data-round).
  function stillTheirs(el, html) {
    var mark = el.querySelector("[data-personal]");
    if (!mark) return false;
    var round = /data-round="([^"]*)"/.exec(html || "");
    return mark.dataset.personal === "always" || Boolean(round && round[1] === mark.dataset.personal);
  }

  // What came drawn replaces the region. Its forms were drawn for every screen alike:
  // each takes this page's session token and a one-time token of its own (so the same
  // form sent from two screens counts as two people's). Sections the person opened or
  // folded stay so.
  function oneTimeToken() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }
  function swapIn(el, html) {
    // Morphed in, as every answer is (forms.js keeps what the person has not sent); htmx.swap
    // settles at once: forms.js takes up the new forms (htmx:load).
    htmx.swap(el, html, { swapStyle: "morph" }, { contextElement: el });
    var meta = document.querySelector("meta[name=csrf-token]");
    el.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      if (!input.value && meta) input.value = meta.content;
    });
    el.querySelectorAll("input[name=once]").forEach(function (input) {
      if (!input.value) input.value = oneTimeToken();
    });
    markMine(el);
    news(el, false);
  }

  // The stage is drawn alike for every attendee: this page marks its person's own rating
  // in it, and the note that it is a minority view.
  var me = body.dataset.me;
  function markMine(root) {
    if (!me) return;
    root.querySelectorAll('[data-rater="' + me + '"]').forEach(function (row) {
      row.classList.add("mine");
      if (!row.classList.contains("minority")) return;
      var spread = row.closest(".spread");
      var note = spread && spread.querySelector("[data-yours]");
      if (note) note.hidden = false;
    });
  }

  // News that arrives together (a round opened and its progress) is announced together.
  var recent = [];
  function say(text) {
    var now = Date.now();
    recent = recent.filter(function (r) { return now - r.at < 3000; });
    recent.push({ text: text, at: now });
    if (announcer) announcer.textContent = recent.map(function (r) { return r.text; }).join(" ");
  }

  // What has been announced already: things on the page when it loaded are not news.
  var heard = {};
  function news(root, quiet) {
    root.querySelectorAll("[data-announce]").forEach(function (el) {
      var what = el.dataset.announce;
      if (heard[what]) return;
      heard[what] = true;
      if (quiet) return;
      say(el.dataset.say || el.textContent.trim());
      var typing = document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (el.hasAttribute("data-step") && !typing) {
        el.scrollIntoView({ block: "start" });
      }
    });
  }
  news(document, true);
  body.addEventListener("htmx:afterSettle", function (event) {
    // What was drawn anew: a region refreshed, or the place a form was sent from (a new
    // element with the same id).
    var target = event.detail.target;
    var region = target && target.id ? document.getElementById(target.id) : null;
    if (region && region.hasAttribute("data-place")) {
      markMine(region);
      news(region, false);
    }
  });

  var connectedBefore = false;
  // The mark goes with the first connect only; a reconnect reads every region anyway.
  var socket = io({
    auth: function (send) {
      var auth = { meeting: meeting || null, screen: display || null };
      if (!connectedBefore) auth.since = Number(body.dataset.asOf || 0);
      send(auth);
    }
  });
  window.meetingSocket = socket;

  socket.on("connect", function () {
    showStatus("Live", true);
    if (connectedBefore) {
      refresh(null);
      document.dispatchEvent(new CustomEvent("meeting:online"));
    }
    connectedBefore = true;
  });
  socket.on("disconnect", function (reason) {
    // The server closed it on purpose (a stopped display link, a log-out): the page is
    // loaded again and shows what its address now shows, rather than trying for ever.
    if (reason === "io server disconnect") { window.location.reload(); return; }
    showStatus("Reconnecting…", false);
  });
  socket.on("connect_error", function () {
    showStatus(connectedBefore ? "Reconnecting…" : "Not live: reload the page", false);
  });
  socket.on("changed", function (message) {
    if (message.reload) { window.location.reload(); return; }
    refresh(message.regions || [], message.html, message.theirs);
  });
})();
