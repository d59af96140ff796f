// The saved-event picker (templates/savedevents/_picker.html): choosing an event fills the
// invoke form. Delegated, so it works for the result lists htmx swaps in later.
(function () {
  if (window.savedEventsPicker) return;  // the partial may be included more than once
  window.savedEventsPicker = true;

  function check(name, value) {
    document.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
      if (field.type === "radio") {
        if (field.value === value && !field.checked) {
          field.checked = true;
          field.dispatchEvent(new Event("change", { bubbles: true }));
        }
      } else if (field.tagName === "SELECT") {
        field.value = value;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function setText(field, value) {
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function putBytes(event) {
    // A file input cannot be typed into; a DataTransfer hands it a File made of the bytes.
    var input = document.getElementById("id_event_file");
    if (!input || typeof DataTransfer === "undefined") return false;
    var raw = atob(event.body);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    var transfer = new DataTransfer();
    transfer.items.add(new File([bytes], event.name + ".bin", { type: "application/octet-stream" }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  // An HTTP request description (the http template, or a saved HTTP invocation) goes into the
  // invoke form's HTTP fields when it has them; its body becomes the event text.
  function asHttpRequest(event) {
    if (event.kind !== "json" || !document.getElementById("id_http_method")) return null;
    try {
      var request = JSON.parse(event.body);
    } catch (ignored) {
      return null;
    }
    var isRequest = request && typeof request === "object" && !Array.isArray(request);
    return isRequest && typeof request.method === "string" && typeof request.path === "string" ? request : null;
  }

  function lines(object, separator) {
    return Object.keys(object || {}).map(function (key) { return key + separator + object[key]; }).join("\n");
  }

  // The invoke form redraws its HTTP fields when the function changes (a blur can do that just
  // after a choice); the chosen request is put back into the new fields until the user edits them.
  var chosenRequest = null;
  var HTTP_FIELDS = ["id_http_method", "id_http_path", "id_http_headers", "id_http_query"];
  document.addEventListener("input", function (e) {
    if (e.isTrusted && HTTP_FIELDS.indexOf(e.target.id) !== -1) chosenRequest = null;
  });
  document.addEventListener("htmx:load", function (e) {
    if (chosenRequest && e.target.querySelector && e.target.querySelector("#id_http_method")) {
      fillHttpFields(chosenRequest);
    }
  });

  function fillHttpFields(request) {
    var flag = document.getElementById("id_as_http");
    if (flag && !flag.checked) {
      flag.checked = true;
      flag.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var fieldset = document.getElementById("http-request");
    if (fieldset) fieldset.hidden = false;
    check("http_method", request.method.toUpperCase());
    [["id_http_path", request.path], ["id_http_headers", lines(request.headers, ": ")],
     ["id_http_query", lines(request.queries, "=")]].forEach(function (pair) {
      var field = document.getElementById(pair[0]);
      if (field) setText(field, pair[1]);
    });
  }

  function fillHttp(request, editor) {
    chosenRequest = request;
    fillHttpFields(request);
    var body = request.body === undefined || request.body === null ? "" : request.body;
    var text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    check("event_kind", typeof body === "string" ? "text" : "json");
    if (editor) setText(editor, text);
  }

  function fill(event) {
    var loaded = true;
    var editor = document.getElementById("id_event_text") || document.getElementById("id_event");
    var request = asHttpRequest(event);
    chosenRequest = null;
    if (request) {
      fillHttp(request, editor);
    } else if (event.kind === "binary") {
      check("event_kind", event.kind);
      loaded = putBytes(event);
    } else {
      check("event_kind", event.kind);
      if (editor) setText(editor, event.body);
    }
    check("invocation_type", event.invocation_type);
    [["id_service", event.target_service], ["id_function", event.target_function]].forEach(function (pair) {
      var field = document.getElementById(pair[0]);
      if (field && !field.value && pair[1]) setText(field, pair[1]);
    });
    var saved = document.getElementById("id_saved_event");
    if (saved) saved.value = event.uuid;
    document.dispatchEvent(new CustomEvent("savedevent:chosen", { detail: event }));
    return loaded;
  }

  function choose(url, picker) {
    var status = picker && picker.querySelector(".ev-picker-status");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (event) {
        var loaded = fill(event);
        if (status) {
          status.textContent = loaded
            ? "Loaded " + event.name + " v" + event.version + "."
            : "Chose " + event.name + " v" + event.version + ", but this form cannot take its bytes.";
        }
      })
      .catch(function (error) {
        if (status) status.textContent = "Could not load that event (" + error.message + ").";
      });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest(".ev-pick");
    if (button) choose(button.dataset.chooseUrl, button.closest(".ev-picker"));
  });

  // "Invoke without saving" on a template page: the previewed event rides along in this tab's
  // sessionStorage (never in the URL, which would put it in logs and history).
  var UNSAVED = "savedevents:unsaved";
  document.addEventListener("click", function (e) {
    var link = e.target.closest("[data-invoke-unsaved]");
    if (!link) return;
    var preview = document.querySelector(link.dataset.invokeUnsaved);
    if (!preview) {
      e.preventDefault();  // the parameters have errors: nothing to invoke with
      return;
    }
    var body = preview.textContent;
    var kind = "text";
    try { JSON.parse(body); kind = "json"; } catch (ignored) { /* the MNS stream shape is plain text */ }
    sessionStorage.setItem(UNSAVED, JSON.stringify({ uuid: "", name: "unsaved event", version: 0, kind: kind, body: body }));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var query = new URLSearchParams(window.location.search);
    var picker = document.querySelector(".ev-picker[data-choose-url]");
    if (!picker) return;
    var unsaved = query.get("unsaved_event") && sessionStorage.getItem(UNSAVED);
    if (unsaved) {
      sessionStorage.removeItem(UNSAVED);
      fill(JSON.parse(unsaved));
      picker.querySelector(".ev-picker-status").textContent = "Loaded the event from the template (not saved).";
      return;
    }
    var wanted = query.get("saved_event");
    if (!wanted || !/^[0-9a-f-]{36}$/i.test(wanted)) return;
    choose(picker.dataset.chooseUrl.replace("00000000-0000-0000-0000-000000000000", wanted), picker);
  });
})();
