// PatternVault's small enhancements. Every page works without them.
"use strict";

// Live availability check of a workspace address.
document.querySelectorAll("[data-slug-form]").forEach(function (form) {
  var slug = form.querySelector("#slug"), name = form.querySelector("#name"), status = form.querySelector("#slug-status");
  var timer, touched = slug.value !== "";
  function suggest() {
    if (touched) return;
    slug.value = name.value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
    check();
  }
  function check() {
    clearTimeout(timer);
    if (slug.value.length < 3) { status.textContent = ""; return; }
    timer = setTimeout(function () {
      fetch("/workspaces/slug-check?slug=" + encodeURIComponent(slug.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          status.textContent = (j.available ? "✓ " : "✗ ") + "/t/" + slug.value + ": " + j.message;
          status.className = "hint " + (j.available ? "ok" : "bad");
        }).catch(function () {});
    }, 250);
  }
  name.addEventListener("input", suggest);
  slug.addEventListener("input", function () { touched = true; check(); });
});

// Copy buttons.
document.querySelectorAll("[data-copy]").forEach(function (btn) {
  btn.addEventListener("click", function () {
    var input = document.querySelector(btn.getAttribute("data-copy"));
    input.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
    btn.textContent = "Copied";
  });
});
// A "Print" button (invoices, the tax summary) prints the page.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});

// Progress of an export or a restore: poll its status, show it, and show
// the finished page when it ends.
document.querySelectorAll("[data-progress]").forEach(function (box) {
  if (!window.fetch) return;
  var st = box.getAttribute("data-status");
  if (st !== "queued" && st !== "running") return;
  var poll = function () {
    fetch(box.getAttribute("data-progress"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
      var bar = box.querySelector("progress"), state = box.querySelector(".progress-state");
      if (bar && p.total) { bar.max = p.total; bar.value = p.done; }
      if (state && p.message) state.textContent = p.message;
      if (p.status === "done" || p.status === "failed") { window.location.reload(); return; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  };
  setTimeout(poll, 1000);
});
