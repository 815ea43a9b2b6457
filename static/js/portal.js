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

  // Filter dropdowns of several choices: the closed button names what is ticked, as the
  // server draws it ("Any", "SEV1, SEV2", "3 selected").
  function syncChosen(menu) {
    var label = menu.parentElement.querySelector("[data-chosen-label]");
    if (!label) return;
    var names = [];
    menu.querySelectorAll("input:checked").forEach(function (box) {
      var text = menu.querySelector('label[for="' + box.id + '"]');
      names.push(text ? text.textContent.trim().split(" · ")[0] : box.value);
    });
    if (!names.length) label.textContent = "Any";
    else if (names.length > 2) label.textContent = names.length + " selected";
    else label.textContent = names.join(", ");
  }

  // Report selectors: the day fields of the chosen kind of period only.
  function syncPeriod() {
    var period = document.querySelector("#report-scope select[name=period]");
    if (!period) return;
    var custom = period.value === "custom";
    document.querySelectorAll("[data-period-custom]").forEach(function (part) { part.hidden = !custom; });
    document.querySelectorAll("[data-period-day]").forEach(function (part) { part.hidden = custom; });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // "Copy" beside a secret shown once: shown only where the browser can copy.
  function showCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    var said = document.getElementById(source.id.replace(/-secret$/, "") + "-copied");
    function tell(text) { if (said) said.textContent = text; }
    navigator.clipboard.writeText(source.value).then(
      function () { button.textContent = "Copied"; tell("Copied to the clipboard."); },
      function () { source.select(); tell("Could not copy: press Ctrl+C (⌘C) to copy the selected token."); }
    );
  });

  // Forms that undo something ask first (without JavaScript they submit at once).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var menu = event.target.closest(".filter-choices");
    if (menu) syncChosen(menu);
    if (event.target.id === "id_action") syncBulk();
    if (event.target === kindField()) syncKind();
    if (event.target.name === "period") syncPeriod();
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncBulk(); syncKind(); syncPeriod(); showCopyButtons();
  });
  document.addEventListener("htmx:afterSwap", syncBulk);
})();
