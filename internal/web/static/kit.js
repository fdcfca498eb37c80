// Machine kits: on Chromium desktop (File System Access API), "Save kit to
// a folder or USB stick" writes the kit's files straight into a folder the
// quilter picks; everywhere else the "Machine kit (ZIP)" button downloads
// the same kit as a ZIP, without JavaScript too.
"use strict";
(function () {
  if (!window.showDirectoryPicker || !window.fetch || !window.DecompressionStream || !window.URLSearchParams) return;

  // readZip lists a ZIP's files from its central directory: name, method,
  // and where the stored bytes are.
  function readZip(buf) {
    var v = new DataView(buf), end = -1;
    for (var i = buf.byteLength - 22; i >= Math.max(0, buf.byteLength - 65557); i--) {
      if (v.getUint32(i, true) === 0x06054b50) { end = i; break; }
    }
    if (end < 0) throw new Error("not a ZIP");
    var n = v.getUint16(end + 10, true), p = v.getUint32(end + 16, true), out = [], dec = new TextDecoder();
    for (var k = 0; k < n; k++) {
      if (v.getUint32(p, true) !== 0x02014b50) throw new Error("broken ZIP");
      var method = v.getUint16(p + 10, true), size = v.getUint32(p + 20, true);
      var nl = v.getUint16(p + 28, true), el = v.getUint16(p + 30, true), cl = v.getUint16(p + 32, true);
      var local = v.getUint32(p + 42, true), name = dec.decode(new Uint8Array(buf, p + 46, nl));
      var start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
      out.push({ name: name, method: method, bytes: new Uint8Array(buf, start, size) });
      p += 46 + nl + el + cl;
    }
    return out;
  }

  function inflate(e) {
    if (e.method === 0) return Promise.resolve(e.bytes);
    var s = new Blob([e.bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(s).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  async function writeEntry(root, e) {
    var parts = e.name.split("/").filter(function (p) { return p && p !== "." && p !== ".."; });
    if (!parts.length || e.name.endsWith("/")) return;
    var dir = root;
    for (var i = 0; i < parts.length - 1; i++) dir = await dir.getDirectoryHandle(parts[i], { create: true });
    var fh = await dir.getFileHandle(parts[parts.length - 1], { create: true });
    var w = await fh.createWritable();
    await w.write(await inflate(e));
    await w.close();
  }

  document.querySelectorAll("[data-kit]").forEach(function (bar) {
    var btn = bar.querySelector("[data-kit-folder]"), zipBtn = bar.querySelector("[data-kit-zip]");
    var status = bar.querySelector("[data-kit-status]"), form = bar.closest("form");
    if (!btn || !zipBtn || !form) return;
    btn.hidden = false;
    btn.addEventListener("click", async function () {
      var dir;
      try { dir = await window.showDirectoryPicker({ mode: "readwrite", id: "pv-kit" }); } catch (e) { return; } // cancelled
      btn.disabled = true;
      status.textContent = "Making the kit…";
      try {
        var r = await fetch(zipBtn.getAttribute("formaction"), { method: "POST", credentials: "same-origin",
          body: new URLSearchParams(new FormData(form)) });
        if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("application/zip") !== 0) {
          window.location.href = r.url; // the page with the reason
          return;
        }
        var files = readZip(await r.arrayBuffer());
        for (var i = 0; i < files.length; i++) {
          status.textContent = "Writing file " + (i + 1) + " of " + files.length + "…";
          await writeEntry(dir, files[i]);
        }
        status.textContent = "Done: " + files.length + " files written to “" + dir.name + "”.";
      } catch (e) {
        status.textContent = "The kit could not be written there (" + e.message + "). Use “Machine kit (ZIP)” instead.";
      } finally {
        btn.disabled = false;
      }
    });
  });
})();
