// Share page: votes are saved at once without reloading the page; the
// forms work the same without JavaScript.
"use strict";
(function () {
  var nameInput = document.getElementById("voter_name");
  document.querySelectorAll("[data-vote]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var btn = ev.submitter;
      if (!btn || !window.fetch) return;
      ev.preventDefault();
      var status = form.querySelector(".vote-status");
      var name = nameInput ? nameInput.value.trim() : "";
      if (!name) { status.textContent = "Please type your name at the top first."; nameInput && nameInput.focus(); return; }
      var chosen = btn.classList.contains("chosen") && btn.closest(".vote-buttons");
      var body = {
        voter_name: name,
        pattern_id: parseInt(form.elements.pattern_id.value, 10),
        vote: chosen ? "" : btn.value,
        rank: form.elements.rank ? parseInt(form.elements.rank.value, 10) : 0,
        comment: form.elements.comment ? form.elements.comment.value : ""
      };
      status.textContent = "Saving…";
      fetch(form.action, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          status.textContent = j.ok ? (body.vote ? "Saved." : "Choice removed.") : j.message;
          if (!j.ok) return;
          form.querySelectorAll(".vote-btn").forEach(function (b) {
            var on = b.value === body.vote;
            b.classList.toggle("chosen", on);
            b.setAttribute("aria-pressed", on ? "true" : "false");
          });
        })
        .catch(function () { status.textContent = "Could not save: check your connection and try again."; });
    });
  });
})();
