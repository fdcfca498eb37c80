// Library enhancements: shift-click range selection, select all, instant
// search as you type, upload with a progress bar of bytes sent, and live
// import progress.
"use strict";
(function () {
  // Bulk selection by event delegation, so it keeps working after instant
  // search swaps the grid: shift-click ticks a range, "Select all" toggles.
  var lastBox = null;
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var bulk = t && t.closest ? t.closest("[data-bulk]") : null;
    if (!bulk) return;
    var boxes = Array.prototype.slice.call(bulk.querySelectorAll("input[name=ids]"));
    if (t.matches("input[name=ids]")) {
      var i = boxes.indexOf(t), j0 = boxes.indexOf(lastBox);
      if (ev.shiftKey && j0 >= 0) {
        var lo = Math.min(j0, i), hi = Math.max(j0, i);
        for (var j = lo; j <= hi; j++) boxes[j].checked = t.checked;
      }
      lastBox = t;
      return;
    }
    var all = t.closest("[data-select-all]");
    if (all) {
      var on = boxes.some(function (b) { return !b.checked; });
      boxes.forEach(function (b) { b.checked = on; });
      all.textContent = on ? "Clear selection" : "Select all on page";
    }
  });

  // Instant search: while the quilter types, fetch the results region
  // (?partial=1) and swap it in. Without JavaScript the form submits as usual.
  var sform = document.querySelector("form.filters[role=search]");
  var results = document.querySelector("[data-results]");
  var sstatus = document.querySelector("[data-search-status]");
  var sbox = sform && sform.querySelector("input[name=q]");
  if (sform && results && sbox && window.fetch && window.AbortController && window.URLSearchParams && window.FormData && window.history.replaceState) {
    var action = sform.getAttribute("action") || window.location.pathname;
    var query = function () {
      var p = new URLSearchParams();
      new FormData(sform).forEach(function (v, k) { if (typeof v === "string" && v !== "") p.append(k, v); });
      return p.toString();
    };
    var shown = query(), timer = 0, inflight = null;
    // say puts text in the live region; quiet text is for screen readers
    // only (the count is already on the page, just below).
    var say = function (text, quiet) {
      if (!sstatus) return;
      sstatus.textContent = "";
      if (!text) return;
      var span = document.createElement("span");
      if (quiet) span.className = "sr";
      span.textContent = text;
      sstatus.appendChild(span);
    };
    var run = function () {
      timer = 0;
      var qs = query();
      if (qs === shown) { if (!inflight) say(""); return; }
      if (inflight) inflight.abort();
      var ctrl = new AbortController();
      inflight = ctrl;
      say("Searching…");
      results.setAttribute("aria-busy", "true");
      fetch(action + "?" + (qs ? qs + "&" : "") + "partial=1", {
        credentials: "same-origin", signal: ctrl.signal, headers: { "Accept": "text/html" }
      }).then(function (r) {
        if (!r.ok || r.redirected) throw new Error("status " + r.status);
        return r.text();
      }).then(function (html) {
        if (inflight !== ctrl) return;
        inflight = null;
        results.innerHTML = html;
        results.removeAttribute("aria-busy");
        shown = qs;
        window.history.replaceState(window.history.state, "", action + (qs ? "?" + qs : ""));
        // The live region above announces the count once; the swapped-in
        // paragraph's own role=status would say it twice.
        var found = results.querySelector(".found");
        if (found) found.removeAttribute("role");
        var none = results.querySelector(".empty .lead");
        var n = results.querySelectorAll(".grid .card").length;
        say(found ? found.textContent.replace(/\s+/g, " ").trim() : none ? none.textContent : n + " design" + (n === 1 ? "" : "s") + " shown.", true);
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (inflight === ctrl) inflight = null;
        results.removeAttribute("aria-busy");
        say("Could not search just now. Press Show to search.");
      });
    };
    sbox.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    // Pressing Enter or Show loads the whole page as before.
    sform.addEventListener("submit", function () {
      if (timer) clearTimeout(timer);
      timer = 0;
      if (inflight) inflight.abort();
      inflight = null;
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
        status.textContent = (j.error && j.error.message) || "The upload did not work. Please try again.";
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
        imp.querySelector(".s-created").textContent = b.created === 1 ? "" : "s";
        imp.querySelector(".n-merged").textContent = b.merged;
        imp.querySelector(".s-merged").textContent = b.merged === 1 ? "" : "s";
        imp.querySelector(".n-duplicates").textContent = b.duplicates;
        var state = imp.querySelector(".import-state");
        if (b.waiting === "storage") state.textContent = "Waiting for storage: the file store cannot be reached just now. Your upload is safe and the import goes on by itself when the store is back.";
        else if (b.status === "running") state.textContent = "Working: " + b.designs_done + " of " + b.designs_total + " designs done.";
        if (b.status === "done" || b.status === "failed" || b.status === "staged") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      }).catch(function () { setTimeout(poll, 3000); });
    };
    var st = imp.getAttribute("data-status");
    if (st === "queued" || st === "running") setTimeout(poll, 1000);
  }
})();
