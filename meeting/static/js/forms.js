// Forms that lose nothing and are safe to press twice.
// - Forms (or their buttons) marked data-confirm ask before they submit.
// - A form's buttons are disabled while it is being sent, so a double click sends it once.
// - Buttons marked data-hold="ms" that take the place of another button as a page changes
//   stay disabled for that long, and say why, so a second click meant for the button that
//   was there before (Reveal) cannot land on the next step's button (Open round 2).
// - A form inside a place (macros.html `place`: a live region or a panel) is sent in place:
//   the place declares where the answer goes and that its requests queue one behind the
//   other (hx-sync queue all), so no click cancels another. Forms marked data-whole-page
//   are sent the ordinary way.
// - Every answer is morphed into its place (idiomorph), which keeps the element that has
//   focus and what is typed in it. A form with typed text, an error, an unsent answer, or
//   a request still on its way is kept exactly as it is (so is a folded section the person
//   opened or closed); only the form that was sent takes the server's answer. Its typed
//   values are kept in this tab's session storage until the server has them, so a reload
//   or a restarted server loses nothing.
// - A form that could not be sent (no connection) says so and keeps everything; forms
//   marked data-resend are sent again by themselves when the connection is back.
// - Buttons marked data-print open the browser's print dialog.
// - Every htmx request carries the session's CSRF token (the page's csrf-token meta) in
//   the X-CSRFToken header. A form refused because its page is from before the session
//   began says so, keeps what was typed, and takes the token from the answer, so pressing
//   its button again sends it.
(function () {
  "use strict";

  // Sending -----------------------------------------------------------------------------

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
    // This page's live connection: what it sends is answered in place, so the ring telling
    // the person's devices of it need not come back here.
    var socket = window.meetingSocket;
    if (socket && socket.id) event.detail.headers["X-Meeting-Socket"] = socket.id;
  });

  // The session's token from an answer becomes this page's, in its forms too.
  function renewToken(answer) {
    var meta = answer.querySelector("meta[name=csrf-token]");
    var mine = document.querySelector("meta[name=csrf-token]");
    if (!meta || !mine) return;
    mine.content = meta.content;
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      input.value = meta.content;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset && button.dataset.confirm) ||
      (form.dataset && form.dataset.confirm);
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    form.dataset.sending = "1";
    // The pressed button's name and value go with the form however long it waits its turn
    // (a queued request is sent after the button was disabled, and lost its focus).
    var pressed = form.querySelector("input[data-pressed]");
    if (pressed) pressed.remove();
    if (button && button.name) {
      pressed = document.createElement("input");
      pressed.type = "hidden";
      pressed.name = button.name;
      pressed.value = button.value;
      pressed.dataset.pressed = "";
      form.appendChild(pressed);
    }
    if (!form.hasAttribute("hx-boost")) forget(form);
    // After this event, so the pressed button's name and value are still sent.
    setTimeout(function () { setButtons(form, true); }, 0);
    // An answer that is slow to come (queued behind another, a slow network) is waited for
    // in words, with everything typed still in the form.
    setTimeout(function () {
      if (form.dataset.sending && form.isConnected) say(form, "Sending…", "sending");
    }, 400);
  }, true);

  function setButtons(form, disabled) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = disabled; });
  }

  function sent(form) {
    delete form.dataset.sending;
    setButtons(form, false);
    var note = form.querySelector(".form-note.sending");
    if (note) note.remove();
  }

  // Coming back with the browser's Back button shows the page as it was left.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(sent);
  });

  // A button is held when it first appears in place of another (a click meant for that
  // one could land on it), not when the page loads, nor each time its place is redrawn.
  // While held it says why.
  var appeared = {};
  var loaded = false;
  function hold(root) {
    var why = null;
    within(root, "[data-hold]").forEach(function (button) {
      var which = (button.form ? button.form.action : "") + " " + button.textContent;
      if (appeared[which]) return;
      appeared[which] = true;
      if (!loaded) return;
      button.disabled = true;
      button.meetingHeld = true;
      // One line says why, after the first button held.
      var note = null;
      if (!why) {
        why = note = document.createElement("span");
        note.className = "held-note";
        note.setAttribute("role", "status");
        note.textContent = "Ready in a moment: this stops a double click.";
        button.insertAdjacentElement("afterend", note);
      }
      setTimeout(function () {
        button.meetingHeld = false;
        button.disabled = false;
        if (note) note.remove();
      }, Number(button.dataset.hold) || 1000);
    });
  }

  // What matches a selector in new content: its top element too (a swapped-in region's
  // content may itself be a form).
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(selector) : []);
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  // Forms in places are sent by htmx (boosted); everything else about how (where the
  // answer goes, that requests queue) the place declares, and its forms inherit.
  function inPlace(root) {
    var forms = within(root, "[data-place] form[method=post]:not([data-whole-page]):not([hx-boost])");
    forms.forEach(function (form) {
      form.setAttribute("hx-boost", "true");
      htmx.process(form);
    });
  }

  // Typed text ---------------------------------------------------------------------------

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !/^(hidden|submit|button|reset|file)$/.test(el.type);
    });
  }

  function changed(el) {
    if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }

  function typedIn(form) { return fields(form).some(changed); }

  // What the form's fields hold, by name: a list of the values ticked for a radio or a
  // checkbox.
  function valuesOf(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (!values[el.name]) values[el.name] = [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function typedValues(form) { return JSON.stringify(valuesOf(form)); }

  function holds(form) {
    return typedIn(form) || Boolean(form.dataset.unsent) || Boolean(form.querySelector(".error"));
  }

  function key(form) { return "kept:" + location.pathname + ":" + form.id; }

  function remember(form) {
    if (!form.id) return;
    if (!typedIn(form)) { forget(form); return; }
    try { sessionStorage.setItem(key(form), typedValues(form)); } catch (e) { /* full or blocked */ }
  }

  function forget(form) {
    if (!form.id) return;
    try { sessionStorage.removeItem(key(form)); } catch (e) { /* blocked */ }
  }

  // Put back what was typed into a form drawn anew (a reload, a restarted server), unless
  // the page already shows something typed in it.
  function restore(root) {
    within(root, "form[id]").forEach(function (form) {
      var stored;
      try { stored = sessionStorage.getItem(key(form)); } catch (e) { return; }
      if (!stored || typedIn(form)) return;
      var values = JSON.parse(stored);
      fields(form).forEach(function (el) {
        if (!(el.name in values)) return;
        var value = values[el.name];
        if (el.type === "radio" || el.type === "checkbox") el.checked = value.indexOf(el.value) !== -1;
        else el.value = value;
      });
      // What saves this form as it is typed saves what was put back, too.
      if (form.querySelector("[data-saves-form]")) {
        form.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.form) remember(event.target.form);
  });
  document.addEventListener("change", function (event) {
    if (event.target.form) remember(event.target.form);
  });

  // When a place is drawn again, what the person has and the server does not is kept as
  // it is: a form being sent or waiting its turn (its request goes from that very form),
  // one with typed text, an error to act on, or an unsent answer; and whether a folded
  // section is open. The form whose answer is being drawn takes the server's version.
  var answering = null;
  var answeringKept = false;
  var answeringDrawn = false;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    answering = event.detail.shouldSwap && event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    answeringKept = false;
    answeringDrawn = false;
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    // The form that was answered shows the server's version, the field that had focus too
    // (idiomorph leaves the value of the focused field as it was).
    if (answering && answering.tagName === "FORM" && answeringDrawn && !answeringKept) {
      fields(answering).forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = el.defaultChecked;
        else if (el.tagName !== "SELECT") el.value = el.defaultValue;
      });
    }
    answering = null;
  });
  document.body.addEventListener("htmx:afterRequest", function () { answering = null; });
  // What a form sent is what it holds when its request goes (a queued one, later than the
  // click): anything typed after that is the next one.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.tagName === "FORM") elt.meetingSent = typedValues(elt);
  });

  function holdsWithin(el) {
    return Array.prototype.some.call(el.querySelectorAll("form"), function (form) {
      return Boolean(form.dataset.sending) || holds(form);
    });
  }

  function keeps(node) {
    if (node.tagName !== "FORM") return false;
    // The form just sent takes the server's answer, unless the person typed the next one
    // into it while the last was on its way.
    if (node === answering) return node.meetingSent !== undefined && typedValues(node) !== node.meetingSent;
    return Boolean(node.dataset.sending) || holds(node);
  }

  Idiomorph.defaults.ignoreActiveValue = true;
  Idiomorph.defaults.callbacks.beforeNodeMorphed = function (old, now) {
    if (old === answering) answeringDrawn = true;
    if (old.nodeType !== Node.ELEMENT_NODE || !keeps(old)) return;
    if (old === answering) answeringKept = true;
    if (old === answering && now.querySelector) {
      // What was typed next is kept, with the new form's one-time token: the last one
      // went with the form that was sent.
      var token = now.querySelector("input[name=once]");
      var mine = old.querySelector("input[name=once]");
      if (token && mine) mine.value = token.value;
    }
    return false;
  };
  Idiomorph.defaults.callbacks.beforeNodeRemoved = function (old) {
    if (old.nodeType !== Node.ELEMENT_NODE) return;
    // A form on its way stays until its answer comes, even if its place no longer has it.
    if (old.tagName === "FORM" && old.dataset.sending && old !== answering) return false;
    // So does what says why a button is held, while it is.
    if (old.classList.contains("held-note")) return false;
  };
  Idiomorph.defaults.callbacks.beforeAttributeUpdated = function (name, el) {
    // A section the person opened or folded stays so; one holding a form they are filling
    // in stays open.
    if (name === "open" && el.tagName === "DETAILS" && (el.meetingToggled || holdsWithin(el))) return false;
    // A held button stays held however often its place is drawn again meanwhile.
    if (name === "disabled" && el.meetingHeld) return false;
    // A form sent in place stays so between being drawn and being taken up again.
    if (name === "hx-boost" && el.tagName === "FORM") return false;
  };

  // What came back ------------------------------------------------------------------------

  // A note at the top of a form: "unsent" (kept through redraws until it is sent) or
  // "refused" (the server said no; the place is drawn anew as it now is).
  function say(form, text, kind) {
    var note = form.querySelector(".form-note");
    if (!note) {
      note = document.createElement("p");
      note.setAttribute("role", "alert");
      form.insertBefore(note, form.firstChild);
    }
    note.className = "form-note " + ({ refused: "refused", sending: "sending" }[kind] || "unsent error");
    note.setAttribute("role", kind === "sending" ? "status" : "alert");
    note.textContent = text;
  }

  // A refusal for a page from before the session began: the form keeps everything and
  // says so, and the page takes the answer's token. Returns whether it was one.
  function stale(form, answer) {
    var why = answer.querySelector("#flash [data-stale]");
    if (!why || !form) return false;
    renewToken(answer);
    form.dataset.unsent = "1";
    say(form, why.textContent.trim());
    return true;
  }

  function refusal(xhr) {
    if (!xhr || xhr.getResponseHeader("HX-Reswap") !== "none") return null;
    return new DOMParser().parseFromString(xhr.responseText, "text/html");
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var xhr = event.detail.xhr;
    var ok = event.detail.successful && xhr && xhr.status < 400;
    var answer = ok ? null : refusal(xhr);
    // What saves a form as it is typed (the decision's draft): once saved, the server has it.
    if (elt && elt.hasAttribute && elt.hasAttribute("data-saves-form")) {
      if (ok) forget(elt.closest("form"));
      else if (answer) stale(elt.closest("form"), answer);
      return;
    }
    if (!elt || elt.tagName !== "FORM") return;
    var form = elt;
    sent(form);
    if (ok) {
      delete form.dataset.unsent;
      forget(form);
    } else if (answer && !stale(form, answer)) {
      // Refused: the page stays as it was, and the form says why.
      var why = answer.querySelector("#flash [role=alert]");
      if (why) say(form, why.textContent.trim(), "refused");
      var place = form.closest("[data-region]");
      if (place) htmx.trigger(place, "refresh");
    }
  });

  // After a form's answer has drawn its place anew, attention goes where the answer is:
  // the first thing to put right, or else what the place now says first. Focus moves
  // there too, so a keyboard or screen-reader user is not left at the top of the page.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var target = event.detail.target;
    if (!form || form.tagName !== "FORM" || !target || !target.id) return;
    var place = document.getElementById(target.id);
    if (!place) return;
    // Someone typing elsewhere meanwhile (another form, the next entry) keeps their place.
    var active = document.activeElement;
    if (active && active !== document.body && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) &&
        !(form.contains(active) && !answeringKept)) return;
    var wrong = place.querySelector("[aria-invalid=true], .error[role=alert]");
    var answer = wrong || place.querySelector(".given, [role=alert], h2, h3");
    if (!answer) return;
    if (!answer.matches("input, select, textarea, button, a[href]")) answer.setAttribute("tabindex", "-1");
    answer.focus({ preventScroll: true });
    // What the form did shows elsewhere (a reveal in the stage, a decision and the views on
    // it above its form): that comes into view, unless there is something to put right.
    if (!wrong && form.dataset.answerIn) bringIntoView(form.dataset.answerIn);
    else answer.scrollIntoView({ block: wrong ? "center" : "nearest" });
  });

  // Brought into view now, or as soon as it arrives (with the ring that draws it) within a
  // few seconds; its place in the page keeps it clear of the cockpit's sticky controls.
  // Regions still arriving for a moment after (the news that came while the click was on
  // its way) can move it: it is brought back while they do.
  var awaited = null;
  function bringIntoView(selector) {
    awaited = { selector: selector, until: Date.now() + 5000, found: null };
    lookFor();
  }
  function lookFor() {
    if (!awaited) return;
    if (Date.now() > awaited.until) { awaited = null; return; }
    var found = document.querySelector(awaited.selector);
    if (!found) return;
    if (!awaited.found) awaited.until = Date.now() + 2000;
    awaited.found = found;
    if (!inView(found)) found.scrollIntoView({ block: "start" });
  }
  // On screen, and not under the cockpit column's sticky controls.
  function inView(el) {
    var box = el.getBoundingClientRect();
    var column = el.closest(".cockpit-col");
    var sticky = column && column.querySelector(".region-controls");
    var top = sticky && getComputedStyle(sticky).position === "sticky"
      ? sticky.getBoundingClientRect().bottom : 0;
    return box.top >= top && box.bottom <= window.innerHeight;
  }
  document.body.addEventListener("htmx:afterSettle", lookFor);
  document.body.addEventListener("htmx:load", lookFor);

  document.body.addEventListener("htmx:abort", function (event) {
    var form = event.detail.elt;
    if (form && form.tagName === "FORM") sent(form);
  });

  // A request with no answer in time (htmx's timeout) fails like a lost connection, so the
  // requests queued behind it in its place go on.
  document.body.addEventListener("htmx:timeout", function (event) {
    htmx.trigger(event.detail.elt, "htmx:sendError", event.detail);
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM") return;
    sent(form);
    form.dataset.unsent = "1";
    say(form, form.hasAttribute("data-resend")
      ? "Not sent: there is no connection. What you entered is kept here, and it is sent by itself when the connection is back (or press the button again)."
      : "Not sent: there is no connection. What you entered is kept here; press the button again when the connection is back.");
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM") return;
    form.dataset.unsent = "1";
    say(form, "Not saved: the server could not take this just now. What you entered is kept here; press the button again.");
  });

  // The connection is back: live.js says so when its socket reconnects (a restarted
  // server), the browser when the device is back on a network.
  function resend() {
    document.querySelectorAll("form[data-unsent][data-resend]").forEach(function (form) {
      if (!form.dataset.sending) htmx.trigger(form, "submit");
    });
  }
  document.addEventListener("meeting:online", resend);
  window.addEventListener("online", resend);

  // Start, and again for everything swapped in -------------------------------------------

  htmx.onLoad(function (root) {
    inPlace(root);
    restore(root);
    hold(root);
    if (root === document.body) loaded = true;
  });
  // A button that takes another's place is held the moment it is swapped in, not only once
  // htmx has settled (a timer a busy browser runs late): a double click's second press
  // must never find it ready.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (loaded) hold(event.detail.target);
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    if (event.target.closest("[data-print]")) window.print();
    // A section the person opened or folded stays that way when its place is drawn again.
    var summary = event.target.closest("summary");
    if (summary) summary.parentElement.meetingToggled = true;
  });
})();
