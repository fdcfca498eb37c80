// Library enhancements: shift-click range selection, select all, upload
// with a progress bar of bytes sent, and live import progress.
"use strict";
(function () {
  var bulk = document.querySelector("[data-bulk]");
  if (bulk) {
    var boxes = Array.prototype.slice.call(bulk.querySelectorAll("input[name=ids]"));
    var last = -1;
    boxes.forEach(function (box, i) {
      box.addEventListener("click", function (ev) {
        if (ev.shiftKey && last >= 0) {
          var lo = Math.min(last, i), hi = Math.max(last, i);
          for (var j = lo; j <= hi; j++) boxes[j].checked = box.checked;
        }
        last = i;
      });
    });
    var all = bulk.querySelector("[data-select-all]");
    if (all) all.addEventListener("click", function () {
      var on = boxes.some(function (b) { return !b.checked; });
      boxes.forEach(function (b) { b.checked = on; });
      all.textContent = on ? "Clear selection" : "Select all on page";
    });
  }

  var up = document.querySelector("[data-upload]");
  if (up && window.FormData && window.XMLHttpRequest) {
    var input = up.querySelector("input[type=file]"), bar = up.querySelector("progress"), status = up.querySelector(".upload-status");
    ["dragover", "dragenter"].forEach(function (t) { up.addEventListener(t, function (e) { e.preventDefault(); up.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (t) { up.addEventListener(t, function () { up.classList.remove("over"); }); });
    up.addEventListener("drop", function (e) { e.preventDefault(); input.files = e.dataTransfer.files; });
    up.addEventListener("submit", function (e) {
      if (!input.files.length) return;
      e.preventDefault();
      var fd = new FormData(up), xhr = new XMLHttpRequest();
      bar.hidden = false;
      status.textContent = "Sending your files…";
      xhr.upload.onprogress = function (p) {
        if (p.lengthComputable) {
          bar.value = Math.round(100 * p.loaded / p.total);
          status.textContent = "Sending: " + Math.round(p.loaded / 1048576) + " of " + Math.round(p.total / 1048576) + " MB";
        }
      };
      xhr.onload = function () {
        var j = {};
        try { j = JSON.parse(xhr.responseText); } catch (err) {}
        if (xhr.status === 202 && j.url) { window.location = j.url; return; }
        status.textContent = j.error || "The upload did not work. Please try again.";
      };
      xhr.onerror = function () { status.textContent = "The connection broke; nothing was stored. Please try again."; };
      xhr.open("POST", up.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.send(fd);
    });
  }

  var imp = document.querySelector("[data-import]");
  if (imp && window.fetch) {
    var poll = function () {
      fetch(imp.getAttribute("data-import"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (b) {
        var bar = imp.querySelector("progress");
        bar.max = b.designs_total || 1; bar.value = b.designs_done;
        imp.querySelector(".n-created").textContent = b.created;
        imp.querySelector(".n-merged").textContent = b.merged;
        imp.querySelector(".n-duplicates").textContent = b.duplicates;
        var state = imp.querySelector(".import-state");
        if (b.status === "running") state.textContent = "Working: " + b.designs_done + " of " + b.designs_total + " designs done.";
        if (b.status === "done" || b.status === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      }).catch(function () { setTimeout(poll, 3000); });
    };
    var st = imp.getAttribute("data-status");
    if (st === "queued" || st === "running") setTimeout(poll, 1000);
  }
})();
