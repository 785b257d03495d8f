// The upload form: drag and drop onto the file field, and a preview that is
// cleared as soon as the list it describes is edited.
(function () {
  "use strict";

  function setUp() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var zone = document.getElementById("drop-zone");
    var input = form.querySelector("input[type=file]");
    var chosen = document.getElementById("file-chosen");

    function showChosen() {
      chosen.textContent = input.files.length ? "Chosen: " + input.files[0].name : "";
    }

    function clearPreview() {
      var preview = document.getElementById("preview");
      if (preview && preview.querySelector("#confirm, .error")) {
        preview.replaceChildren();
        var note = document.createElement("p");
        note.className = "muted";
        note.textContent = "The list changed. Check it again to see the new preview.";
        preview.appendChild(note);
      }
    }

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    input.addEventListener("change", showChosen);
    form.addEventListener("input", clearPreview);
    form.addEventListener("change", clearPreview);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
