// Live reload of the local preview (never part of a published site): the
// serve command says "reload" over Server-Sent Events after each rebuild,
// and "build-error" when an edit does not build. The stream is closed while
// the tab is hidden, so that background tabs do not hold the browser's few
// connections to this server; on return, a changed build id reloads the page.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var es = null, seen = null;

  function open() {
    es = new EventSource("/_loa/reload");
    es.addEventListener("hello", function (e) {
      if (seen !== null && e.data !== seen) location.reload();
      seen = e.data;
    });
    es.addEventListener("reload", function () { location.reload(); });
    es.addEventListener("build-error", function (e) { show(e.data); });
  }

  function show(msg) {
    var box = document.getElementById("loa-build-error");
    if (!box) {
      box = document.createElement("pre");
      box.id = "loa-build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:9999;margin:0;padding:1em;" +
        "max-height:50vh;overflow:auto;white-space:pre-wrap;background:#fff4f4;color:#7a1010;" +
        "border-top:3px solid #b00;font:14px/1.4 monospace";
      document.body.appendChild(box);
    }
    box.textContent = "Chưa dựng lại được trang. Sửa tệp rồi lưu lại:\n\n" + msg;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (es) { es.close(); es = null; }
    } else if (!es) {
      open();
    }
  });
  if (!document.hidden) open();
})();
