// The saved-event picker (templates/savedevents/_picker.html): choosing an event fills the
// invoke form's editor. Delegated, so it works for result lists htmx swaps in later.
(function () {
  if (window.savedEventsPicker) return;  // the partial may be included more than once
  window.savedEventsPicker = true;

  function fill(event) {
    var editor = document.getElementById("id_event");
    if (editor && event.kind !== "binary") {
      editor.value = event.body;
      editor.dispatchEvent(new Event("input", { bubbles: true }));
      editor.dispatchEvent(new Event("change", { bubbles: true }));
    }
    document.querySelectorAll("[name=invocation_type]").forEach(function (field) {
      if (field.type === "radio") {
        field.checked = field.value === event.invocation_type;
      } else if (field.tagName === "SELECT") {
        field.value = event.invocation_type;
      }
    });
    var saved = document.getElementById("id_saved_event");
    if (saved) saved.value = event.uuid;
    document.dispatchEvent(new CustomEvent("savedevent:chosen", { detail: event }));
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest(".ev-pick");
    if (!button) return;
    var picker = button.closest(".ev-picker");
    var status = picker && picker.querySelector(".ev-picker-status");
    fetch(button.dataset.chooseUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (event) {
        fill(event);
        if (status) {
          status.textContent = event.kind === "binary"
            ? "Chose " + event.name + " v" + event.version + " (binary: not shown in the editor)."
            : "Loaded " + event.name + " v" + event.version + ".";
        }
      })
      .catch(function (error) {
        if (status) status.textContent = "Could not load that event (" + error.message + ").";
      });
  });
})();
