// Call form: show the parts that apply to the chosen direction and outcome. Each part marked
// data-show-when="field:value,value" shows only while that field has one of the values.
// Without this script every part shows, and the server checks the values all the same.
(function () {
  "use strict";

  function sync() {
    document.querySelectorAll("[data-show-when]").forEach(function (part) {
      var rule = part.getAttribute("data-show-when").split(":");
      var field = document.getElementById("id_" + rule[0]);
      if (!field) return;
      part.hidden = rule[1].split(",").indexOf(field.value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest("#call-form")) sync();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sync);
  } else {
    sync();
  }
})();
