// Small behaviours the console needs; htmx does the rest. No inline scripts (CSP).
(function () {
  "use strict";

  // -- elapsed time of a running invocation -------------------------------------------------
  function formatElapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var m = Math.floor(s / 60);
    var h = Math.floor(m / 60);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return "running for " + (h ? h + ":" + pad(m % 60) : m) + ":" + pad(s % 60);
  }
  function tickElapsed() {
    document.querySelectorAll("[data-elapsed-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-elapsed-since"));
      if (!isNaN(since)) el.textContent = formatElapsed(Date.now() - since);
    });
  }
  setInterval(tickElapsed, 1000);

  // -- live fragments ([data-poll]): never poll from a hidden tab, catch up when shown again --
  // (Done here rather than with an hx-trigger filter, which htmx would have to eval.)
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.detail.elt.hasAttribute("data-poll")) event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !window.htmx) return;
    document.querySelectorAll("[data-poll]").forEach(function (el) { window.htmx.trigger(el, "refresh"); });
  });

  // -- show a part of a form only for some values of another field --------------------------
  // data-show-if="invocation_type=async" or "event_kind=json,text"
  function fieldValue(form, name) {
    var checked = form.querySelector('[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var el = form.querySelector('[name="' + name + '"]');
    return el && el.type !== "radio" ? el.value : "";
  }
  function applyShowIf(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var rule = el.getAttribute("data-show-if").split("=");
      el.hidden = rule[1].split(",").indexOf(fieldValue(form, rule[0])) === -1;
    });
  }

  // -- the invoke form: profile defaults, protected confirmation, event helpers ------------
  function applyProfile(form) {
    var select = form.querySelector("#id_profile");
    if (!select) return;
    var option = select.options[select.selectedIndex];
    var region = form.querySelector("#id_region");
    if (region && option) region.placeholder = option.getAttribute("data-region") || "";
    var confirm = form.querySelector("#confirm-field");
    if (confirm && option && !confirm.querySelector(".error")) {
      confirm.hidden = !option.hasAttribute("data-protected");
    }
  }
  function showSize(form) {
    form.querySelectorAll("[data-size-of]").forEach(function (el) {
      var source = form.querySelector(el.getAttribute("data-size-of"));
      if (!source) return;
      var bytes = new Blob([source.value]).size;
      el.textContent = bytes < 1024 ? bytes + " B" : (bytes / 1024).toFixed(1) + " KB";
    });
  }
  function prettyPrint(button) {
    var area = document.querySelector(button.getAttribute("data-pretty-print"));
    var out = document.getElementById("event-json-error");
    if (!area) return;
    try {
      area.value = JSON.stringify(JSON.parse(area.value), null, 2);
      if (out) out.textContent = "";
      if (area.form) showSize(area.form);
    } catch (e) {
      if (out) out.textContent = "Not valid JSON: " + e.message;
    }
  }

  // -- copy to clipboard -------------------------------------------------------------------
  function flash(button, text) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = text;
    setTimeout(function () { button.textContent = original; }, 1500);
  }
  function copy(button, text) {
    navigator.clipboard.writeText(text).then(
      function () { flash(button, "Copied"); },
      function () { flash(button, "Copy failed"); }
    );
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pretty-print], [data-copy], [data-copy-url]");
    if (!button) return;
    if (button.hasAttribute("data-pretty-print")) prettyPrint(button);
    if (button.hasAttribute("data-copy")) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (source) copy(button, source.textContent);
    }
    if (button.hasAttribute("data-copy-url")) {
      fetch(button.getAttribute("data-copy-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(); })
        .then(function (text) { copy(button, text); }, function () { flash(button, "Copy failed"); });
    }
  });

  // -- forms that ask first ([data-confirm]: Stop, Restore, Deactivate) -----------------------
  // Here rather than in an onsubmit attribute: the CSP allows no inline script.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function setUpForms(root) {
    root.querySelectorAll("form").forEach(function (form) {
      applyShowIf(form);
      applyProfile(form);
      showSize(form);
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form) return;
    applyShowIf(form);
    if (event.target.id === "id_profile") applyProfile(form);
  });
  document.addEventListener("input", function (event) {
    if (event.target.form) showSize(event.target.form);
  });

  // A picker list that could not be fetched carries FC's answer; show it under the target fields.
  document.addEventListener("htmx:afterSwap", function (event) {
    tickElapsed();  // a freshly swapped-in status shows its elapsed time at once
    var target = event.detail.target;
    var out = document.getElementById("browse-error");
    if (target && target.tagName === "DATALIST" && out) {
      var failed = target.querySelector("[data-error]");
      out.textContent = failed ? failed.getAttribute("data-error") : "";
    }
    if (target && target.id === "http-trigger") applyHttpTrigger(target);
    if (target && target.closest("form")) applyShowIf(target.closest("form"));
  });

  // The function has an HTTP trigger: show the HTTP fields and send as an HTTP request, offering
  // only the trigger's methods. It has none: hide them and send an event.
  function applyHttpTrigger(info) {
    var marker = info.querySelector("[data-http-trigger]");
    var fieldset = document.getElementById("http-request");
    var asHttp = document.getElementById("id_as_http");
    if (!marker || !fieldset || !asHttp) return;
    var hasTrigger = marker.getAttribute("data-http-trigger") === "1";
    var methods = (marker.getAttribute("data-methods") || "").split(",").filter(Boolean);
    fieldset.hidden = !hasTrigger;
    asHttp.checked = hasTrigger;
    document.querySelectorAll("#id_http_method option").forEach(function (option) {
      option.disabled = hasTrigger && methods.length > 0 && methods.indexOf(option.value) === -1;
    });
  }

  // Back to a page (Back after Invoke): the browser restores what was typed only after
  // DOMContentLoaded, or keeps the page whole in its back/forward cache; either way the sizes and
  // shown parts are worked out again from the restored values.
  window.addEventListener("pageshow", function () { setUpForms(document); });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpForms(document); tickElapsed(); });
  } else {
    setUpForms(document);
    tickElapsed();
  }
})();
