// PatternVault offline: the installable app's page side (static/sw.js is
// the service worker). "Keep on this device" stores a design's page,
// pictures and machine file (cache pv-kept) and what the offline search
// needs (cache pv-meta); designs viewed lately and her favourites are
// kept too (pv-recent, the oldest viewed dropped past 40, favourites
// never). Offline, the library address shows what is
// on the device, with a banner and a search over names and keywords.
// Favourites and keywords changed offline wait in localStorage and are
// sent when the connection returns (last writer wins; the answer is
// shown). Without service workers or the Cache API none of this shows and
// every page works as before.
"use strict";
(function () {
  if (!("serviceWorker" in navigator) || !window.caches || !window.fetch || !window.localStorage) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});

  var RECENT_MAX = 40, META = "pv-meta";
  var main = document.querySelector("main") || document.body;

  function metaKey(m) { return "/__pv/meta/" + (m.share ? "s/" + m.share : "t/" + m.slug) + "/" + m.id; }
  function getMeta(m) {
    return caches.open(META).then(function (c) { return c.match(metaKey(m)); })
      .then(function (r) { return r ? r.json() : null; });
  }
  function putMeta(m) {
    return caches.open(META).then(function (c) {
      return c.put(metaKey(m), new Response(JSON.stringify(m), { headers: { "Content-Type": "application/json" } }));
    });
  }
  function allMeta() {
    return caches.open(META).then(function (c) {
      return c.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return c.match(k).then(function (r) { return r.json(); }); }));
      });
    });
  }
  function urlsOf(m) { return [m.page, m.thumb, m.file].concat(m.pictures || []).filter(Boolean); }
  function mb(n) { return (n / 1048576).toFixed(n < 10485760 ? 1 : 0) + " MB"; }
  function budget() { return (parseInt(localStorage.getItem("pv-budget-mb"), 10) || 500) * 1048576; }
  function say(el, text) { if (el) el.textContent = text; }

  // banner puts a line at the top of the page (or updates it).
  function banner(text) {
    var b = document.querySelector("[data-offline-banner]");
    if (!b) {
      b = document.createElement("p");
      b.className = "offline-banner";
      b.setAttribute("role", "status");
      b.setAttribute("data-offline-banner", "");
      main.insertBefore(b, main.firstChild);
    }
    b.hidden = !text;
    b.textContent = text || "";
  }

  // keep stores every address of a design in pv-kept, within the budget.
  async function keep(m) {
    var est = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : { usage: 0 };
    if (est.usage > budget()) throw new Error("the room you allow for kept designs (" + mb(budget()) + ") is full: clear some on the library page, or allow more");
    var cache = await caches.open("pv-kept"), bytes = 0;
    for (var u of urlsOf(m)) {
      var r = await fetch(u, { credentials: "same-origin", headers: { "X-PV-Keep": "1" } });
      if (!r.ok || r.redirected) throw new Error("could not fetch " + u + " (" + r.status + ")");
      bytes += (await r.clone().blob()).size;
      await cache.put(u, r);
    }
    m.kept = true;
    m.bytes = bytes;
    m.viewed = m.viewed || Date.now();
    await putMeta(m);
  }
  async function unkeep(m) {
    var cache = await caches.open("pv-kept");
    for (var u of urlsOf(m)) await cache.delete(u);
    m.kept = false;
    await putMeta(m);
  }

  // trim drops the designs viewed longest ago beyond RECENT_MAX (never a
  // kept one or a favourite).
  async function trim() {
    var ms = (await allMeta()).filter(function (m) { return !m.kept && !m.favorite; })
      .sort(function (a, b) { return (b.viewed || 0) - (a.viewed || 0); });
    var recent = await caches.open("pv-recent"), meta = await caches.open(META);
    for (var m of ms.slice(RECENT_MAX)) {
      for (var u of urlsOf(m)) await recent.delete(u, { ignoreSearch: u.indexOf("/download") < 0 });
      await meta.delete(metaKey(m));
    }
  }

  // A design's page: "Keep on this device", and remember it as viewed.
  var box = document.querySelector("[data-offline]");
  if (box) (async function () {
    var m = JSON.parse(box.getAttribute("data-offline")), btn = box.querySelector("[data-keep]"), st = box.querySelector("[data-keep-status]");
    var old = await getMeta(m);
    if (old) { m.kept = old.kept; m.bytes = old.bytes; }
    if (navigator.onLine) {
      m.viewed = Date.now();
      await putMeta(m);
      // The page itself is kept by the service worker; its pictures here.
      caches.open("pv-recent").then(function (c) { return c.addAll([m.thumb].concat(m.pictures).filter(Boolean)); }).catch(function () {});
      trim();
    } else {
      banner(m.kept ? "Offline — this design is kept on this device." : "Offline — this is a copy of a design you viewed lately.");
    }
    box.hidden = false;
    function show() {
      btn.textContent = m.kept ? "Remove from this device" : "Keep on this device";
      btn.setAttribute("aria-pressed", m.kept ? "true" : "false");
    }
    show();
    if (m.kept) say(st, "Kept on this device: it opens without Wi-Fi.");
    btn.addEventListener("click", async function () {
      btn.disabled = true;
      try {
        if (m.kept) { await unkeep(m); say(st, "Removed from this device."); }
        else { say(st, "Keeping…"); await keep(m); say(st, "Kept on this device (" + mb(m.bytes) + "): it opens without Wi-Fi, with its picture and file."); }
      } catch (e) {
        say(st, "Not kept: " + e.message + ".");
      }
      btn.disabled = false;
      show();
    });
  })();

  // A share link: keep its page and every design's picture.
  var sbox = document.querySelector("[data-keep-share]");
  if (sbox) {
    var token = location.pathname.split("/")[2];
    sbox.hidden = false;
    if (!navigator.onLine) banner("Offline — showing the designs of this link kept on this device.");
    sbox.querySelector("[data-keep]").addEventListener("click", async function () {
      var st = sbox.querySelector("[data-keep-status]"), title = (document.querySelector("h1") || {}).textContent || "Share link";
      say(st, "Keeping…");
      try {
        var cards = document.querySelectorAll(".share-card");
        for (var i = 0; i < cards.length; i++) {
          var c = cards[i], img = c.querySelector("img"), h = c.querySelector("h2");
          await keep({ share: token, id: c.id.replace("design-", ""), name: h ? h.textContent.trim() : "", keywords: [],
            link: title.trim(), page: location.pathname, thumb: img ? new URL(img.src).pathname : "", pictures: [] });
        }
        say(st, "Kept on this device: these " + cards.length + " designs open without a signal.");
      } catch (e) {
        say(st, "Not kept: " + e.message + ".");
      }
    });
  }

  // Her favourites are kept too (pv-recent, never trimmed while they are
  // favourites), so they open without Wi-Fi even when not opened lately.
  // Done from the library page, at most every ten minutes, within the room
  // she allows; a page is fetched when missing or changed, a picture or
  // file when missing (X-PV-Keep: fetching a page to keep is not a view).
  async function keepFavorites(slug) {
    var key = "pv-favorites:" + slug, last = parseInt(localStorage.getItem(key), 10) || 0;
    if (!slug || !navigator.onLine || Date.now() - last < 600000) return;
    localStorage.setItem(key, String(Date.now()));
    var r = await fetch("/t/" + slug + "/offline/favorites", { credentials: "same-origin" });
    if (!r.ok || r.redirected) return;
    var body = await r.json(), ids = {}, recent = await caches.open("pv-recent");
    for (var m of body.designs || []) {
      ids[m.id] = true;
      var old = await getMeta(m), changed = !old || urlsOf(old).join() !== urlsOf(m).join();
      if (old) { m.kept = old.kept; m.bytes = old.bytes; m.viewed = old.viewed; }
      if (!m.kept) {
        var est = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : { usage: 0 };
        if (est.usage > budget()) break;
        for (var u of urlsOf(m)) {
          if (!(changed && u === m.page) && await recent.match(u)) continue;
          var res = await fetch(u, { credentials: "same-origin", headers: { "X-PV-Keep": "1" } });
          if (res.ok && !res.redirected) await recent.put(u, res);
        }
      }
      await putMeta(m);
    }
    // No longer a favourite: kept like any design viewed lately.
    if (body.complete) {
      for (var o of await allMeta()) {
        if (!o.share && o.slug === slug && o.favorite && !ids[o.id]) { o.favorite = false; await putMeta(o); }
      }
    }
    await trim();
  }

  // The library page: what is on this device, its room, and a way to clear it.
  var dev = document.querySelector("[data-device]");
  if (dev) (async function () {
    var sel = dev.querySelector("[data-device-budget]"), usage = dev.querySelector("[data-device-usage]");
    sel.value = String(budget() / 1048576);
    async function show() {
      var ms = await allMeta(), kept = ms.filter(function (m) { return m.kept; }).length;
      var favs = ms.filter(function (m) { return !m.kept && m.favorite; }).length;
      var est = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : { usage: 0 };
      say(usage, "Kept here: " + kept + " design" + (kept === 1 ? "" : "s") + ", " + favs + " favourite" + (favs === 1 ? "" : "s") +
        " and " + (ms.length - kept - favs) + " viewed lately. PatternVault uses " + mb(est.usage || 0) + " of the " + mb(budget()) + " you allow on this device.");
    }
    sel.addEventListener("change", function () { localStorage.setItem("pv-budget-mb", sel.value); show(); });
    dev.querySelector("[data-device-clear]").addEventListener("click", async function () {
      await Promise.all(["pv-kept", "pv-recent", META].map(function (k) { return caches.delete(k); }));
      show();
    });
    dev.hidden = false;
    show();
    try { await keepFavorites(location.pathname.split("/")[2]); } catch (e) { /* the network went: next time */ }
    show();
  })();

  // The offline library (the service worker's answer for a page it does
  // not have): the designs on this device, searchable.
  var lib = document.querySelector("[data-offline-library]");
  if (lib) (async function () {
    var parts = location.pathname.split("/"), slug = parts[1] === "t" ? parts[2] : "";
    var ms = (await allMeta()).filter(function (m) { return !m.share && (!slug || m.slug === slug); })
      .sort(function (a, b) { return a.name.localeCompare(b.name); });
    var shares = (await allMeta()).filter(function (m) { return m.share; });
    var grid = lib.querySelector("[data-offline-grid]"), input = lib.querySelector("input[name=q]"), st = lib.querySelector("[data-offline-status]");
    banner("Offline — showing the " + ms.length + " design" + (ms.length === 1 ? "" : "s") + " on this " + (/Mobi|Android|iPad|Tablet/.test(navigator.userAgent) ? "tablet" : "device") + ".");
    lib.querySelector("[data-offline-empty]").hidden = ms.length + shares.length > 0;
    function fold(s) { return (s || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
    function render() {
      var words = fold(input.value).split(/\s+/).filter(Boolean), n = 0;
      grid.textContent = "";
      ms.forEach(function (m) {
        var text = fold(m.name + " " + (m.keywords || []).join(" ") + " " + (m.designer || ""));
        if (!words.every(function (w) { return text.indexOf(w) >= 0; })) return;
        n++;
        var li = document.createElement("li"), a = document.createElement("a");
        li.className = "card";
        a.className = "card-link";
        a.href = m.page;
        if (m.thumb) {
          var img = document.createElement("img");
          img.src = m.thumb; img.alt = ""; img.width = 256; img.height = 256;
          a.appendChild(img);
        }
        var name = document.createElement("span");
        name.className = "card-name";
        name.textContent = (m.favorite ? "★ " : "") + m.name;
        a.appendChild(name);
        var meta = document.createElement("span");
        meta.className = "card-meta";
        meta.textContent = [m.size, (m.keywords || []).join(", ")].filter(Boolean).join(" · ");
        a.appendChild(meta);
        if (m.kept) {
          var k = document.createElement("span");
          k.className = "kept";
          k.textContent = "Kept on this device";
          a.appendChild(k);
        }
        li.appendChild(a);
        grid.appendChild(li);
      });
      say(st, words.length ? n + " of the " + ms.length + " designs on this device match." : "");
    }
    input.addEventListener("input", render);
    lib.querySelector("[data-offline-search]").addEventListener("submit", function (e) { e.preventDefault(); render(); });
    var links = {};
    shares.forEach(function (m) { links[m.page] = links[m.page] || { name: m.link, n: 0 }; links[m.page].n++; });
    var list = lib.querySelector("[data-offline-share-list]");
    Object.keys(links).forEach(function (p) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = p;
      a.textContent = links[p].name + " (" + links[p].n + " designs)";
      li.appendChild(a);
      list.appendChild(li);
    });
    lib.querySelector("[data-offline-shares]").hidden = !shares.length;
    render();
  })();

  // Changes made offline: favourites and keywords wait here and are sent
  // when the connection returns.
  var slugNow = location.pathname.split("/")[1] === "t" ? location.pathname.split("/")[2] : "";
  function queueKey(slug) { return "pv-queue:" + slug; }
  function queued(slug) { try { return JSON.parse(localStorage.getItem(queueKey(slug))) || []; } catch (e) { return []; } }
  function enqueue(slug, change) {
    var q = queued(slug);
    q.push(change);
    localStorage.setItem(queueKey(slug), JSON.stringify(q));
  }
  function note(form, text) {
    var p = form.querySelector("[data-queued]");
    if (!p) {
      p = document.createElement("p");
      p.className = "hint";
      p.setAttribute("role", "status");
      p.setAttribute("data-queued", "");
      form.appendChild(p);
    }
    p.textContent = text;
  }
  var WAIT = "Saved on this device: it will be sent when you are back online.";
  document.addEventListener("submit", function (ev) {
    var form = ev.target, action = form.getAttribute("action") || "";
    if (navigator.onLine || !slugNow) return;
    var m = action.match(/\/patterns\/(\d+)\/(favorite|edit)$/);
    if (!m) return;
    ev.preventDefault();
    var id = parseInt(m[1], 10), name = (document.querySelector(".facts h1") || {}).textContent || "";
    if (m[2] === "favorite") {
      var input = form.querySelector("input[name=favorite]"), on = input.value === "1", btn = form.querySelector("button");
      enqueue(slugNow, { kind: "favorite", pattern_id: id, favorite: on, at: Date.now() });
      input.value = on ? "0" : "1";
      if (btn) btn.textContent = on ? "★ Remove from favourites" : "☆ Add to favourites";
      note(form, WAIT);
      if (box) getMeta(JSON.parse(box.getAttribute("data-offline"))).then(function (meta) { if (meta) { meta.favorite = on; putMeta(meta); } });
      return;
    }
    var changed = Array.prototype.some.call(form.querySelectorAll("input[name]:not([name=keywords]), textarea"), function (f) { return f.value !== f.defaultValue; });
    if (changed) { note(form, "Offline, only keywords and favourites wait to be sent: change the name, designer or notes when you are back online."); return; }
    var kw = form.querySelector("input[name=keywords]").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    enqueue(slugNow, { kind: "keywords", pattern_id: id, keywords: kw, at: Date.now() });
    note(form, WAIT);
  });

  async function replay() {
    if (!navigator.onLine || !slugNow) return;
    var q = queued(slugNow);
    if (!q.length) return;
    var r;
    try {
      r = await fetch("/t/" + slugNow + "/offline/changes", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ changes: q }) });
    } catch (e) { return; } // still no connection: try again later
    if (!r.ok || r.redirected) return; // signed out: keep them for later
    var res = (await r.json()).results || [];
    localStorage.setItem(queueKey(slugNow), JSON.stringify(queued(slugNow).slice(q.length)));
    var applied = res.filter(function (x) { return x.applied; }).length, others = res.filter(function (x) { return !x.applied; });
    var text = "Sent " + applied + " change" + (applied === 1 ? "" : "s") + " made offline." +
      others.map(function (x) { return " " + x.message; }).join("");
    banner(text);
  }
  window.addEventListener("online", function () { banner(""); replay(); });
  window.addEventListener("offline", function () {
    if (!document.querySelector("[data-offline-library]")) banner("Offline — designs kept on this device still open; changes wait until you are back online.");
  });
  replay();

  // Signing out leaves nothing of the library on a shared device.
  document.querySelectorAll("form[action='/signout']").forEach(function (f) {
    f.addEventListener("submit", function () {
      ["pv-kept", "pv-recent", META].forEach(function (k) { caches.delete(k); });
    });
  });
})();
