// Small behaviours of the portal's pages; everything works without them.
(function () {
  "use strict";

  // "Select all" checkbox in a table header ticks every row's checkbox.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) return;
    var name = all.getAttribute("data-select-all");
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // Bulk form: show the fields of the chosen action only.
  function syncBulk() {
    var action = document.getElementById("id_action");
    if (!action) return;
    document.querySelectorAll("[data-bulk]").forEach(function (part) {
      part.hidden = part.getAttribute("data-bulk") !== action.value;
    });
  }

  // Record forms: show the section of the chosen kind, hide the others. The kind is the
  // field marked data-kind-field, or else the one named "kind".
  function kindField() {
    return document.querySelector("[data-kind-field]") || document.getElementById("id_kind");
  }

  function syncKind() {
    var kind = kindField();
    if (!kind) return;
    document.querySelectorAll("[data-kind-section]").forEach(function (section) {
      section.hidden = section.getAttribute("data-kind-section") !== kind.value;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "id_action") syncBulk();
    if (event.target === kindField()) syncKind();
  });
  document.addEventListener("DOMContentLoaded", function () { syncBulk(); syncKind(); });
  document.addEventListener("htmx:afterSwap", syncBulk);
})();
