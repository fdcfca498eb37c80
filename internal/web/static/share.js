// Share page: each control under a design (her choice, her rank, her
// comment) is saved on its own, at once, without reloading the page, and
// only that part is sent, so saving a comment never changes her choice.
// Without JavaScript the same forms post and the page says what was saved.
"use strict";
(function () {
  var nameInput = document.getElementById("voter_name");

  function save(form, part, value) {
    var card = form.closest(".share-card");
    var status = card.querySelector(".vote-status");
    var name = nameInput ? nameInput.value.trim() : "";
    if (!name) { status.textContent = "Please type your name at the top first."; nameInput && nameInput.focus(); return; }
    var body = { voter_name: name, pattern_id: parseInt(form.elements.pattern_id.value, 10) };
    body[part] = value;
    status.textContent = "Saving…";
    fetch(form.action, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        status.textContent = j.message;
        if (!j.ok) return;
        card.querySelectorAll(".vote-btn").forEach(function (b) {
          var on = b.dataset.choice === j.vote;
          b.classList.toggle("chosen", on);
          b.setAttribute("aria-pressed", on ? "true" : "false");
          b.value = on ? "" : b.dataset.choice; // pressing a chosen button takes it back
        });
        var sel = card.querySelector("select[name=rank]");
        if (sel) sel.value = String(j.rank);
      })
      .catch(function () { status.textContent = "Could not save: check your connection and try again."; });
  }

  document.querySelectorAll("[data-vote]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.fetch) return;
      var btn = ev.submitter;
      ev.preventDefault();
      if (btn && btn.name === "vote") save(form, "vote", btn.value);
      else if (form.elements.rank) save(form, "rank", parseInt(form.elements.rank.value, 10));
      else if (form.elements.comment) save(form, "comment", form.elements.comment.value);
    });
    var sel = form.elements.rank;
    if (sel && window.fetch) {
      // A rank is saved when it is chosen; its button is for pages without JavaScript.
      sel.addEventListener("change", function () { save(form, "rank", parseInt(sel.value, 10)); });
      var b = form.querySelector("[data-save-rank]");
      if (b) b.hidden = true;
    }
  });
})();
