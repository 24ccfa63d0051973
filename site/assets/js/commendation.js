// The commendation page (/quan-tri/khen-thuong/), for a "quản lý". It uses
// the account signed in on the staff page in this tab (sessionStorage): it
// lists the nominations by lĩnh vực (/api/commendation), keeps or leaves
// out each one (PUT /api/commendation/{id}), opens a file sent with one
// (/api/files/…, a short-lived link) and downloads the commendation list in
// Word (/api/commendation.docx).
(function () {
  "use strict";
  var root = document.querySelector("[data-commend]");
  if (!root || !window.fetch || !window.sessionStorage || !window.loaStaffTool) return;
  var tool = window.loaStaffTool(root, "commend");
  var board = tool.board, say = tool.say, el = tool.el, call = tool.call;
  var list = root.querySelector("[data-commend-list]");
  var count = root.querySelector("[data-commend-count]");
  if (!tool.secret) return;

  function download(url) {
    return call("GET", url).then(function (ans) {
      if (ans.status !== 200 || !ans.url) { say(ans.message || "Chưa tải được; thử lại sau."); return; }
      say("Đang tải " + ans.file + "…");
      window.location.href = ans.url;
    });
  }

  function tally(ans) {
    var n = ans.items.filter(function (it) { return !it.out; }).length;
    count.textContent = "Đang chọn " + n + " trong " + ans.items.length + " người được đề cử.";
  }

  function show(ans) {
    board.hidden = false;
    list.textContent = "";
    tally(ans);
    if (!ans.items.length) { list.appendChild(el("p", null, "Chưa có đề cử nào.")); return; }
    var topics = ans.topics.slice();
    ans.items.forEach(function (it) { if (topics.indexOf(it.topic) < 0) topics.push(it.topic); });
    topics.forEach(function (topic, ti) {
      var items = ans.items.filter(function (it) { return it.topic === topic; });
      if (!items.length) return;
      var h = list.appendChild(el("h3", { id: "linh-vuc-" + (ti + 1) }, topic + " (" + items.length + ")"));
      var ul = list.appendChild(el("ul", { "class": "staff-nominees", "aria-labelledby": h.id }));
      items.forEach(function (it) {
        var li = ul.appendChild(el("li"));
        var head = li.appendChild(el("p"));
        head.appendChild(el("strong", null, it.name));
        head.appendChild(document.createTextNode((it.born ? ", sinh năm " + it.born : "") + ", " + it.group + " (mã " + it.code + ")"));
        li.appendChild(el("p", null, it.deeds));
        var box = el("input", { type: "checkbox", id: "giu-" + it.id });
        box.checked = !it.out;
        var label = el("label", { "for": box.id }, "Đưa " + it.name + " vào danh sách");
        var p = li.appendChild(el("p", { "class": "form-checkbox" }));
        p.appendChild(box);
        p.appendChild(label);
        // The box stays enabled while its choice is saved: disabling it
        // would take the focus away from the person using a keyboard.
        box.addEventListener("change", function () {
          var want = box.checked;
          call("PUT", "/api/commendation/" + encodeURIComponent(it.id), { out: !want }).then(function (r) {
            if (r.status !== 200) { box.checked = !want; say(r.message || "Chưa lưu được; thử lại sau."); return; }
            it.out = !want; // the list stays as it is, and the focus on the box
            tally(ans);
            say(r.message);
          });
        });
        it.files.forEach(function (field) {
          var b = li.appendChild(el("button", { type: "button", "class": "staff-button" }, "Mở tệp kèm theo của " + it.name));
          b.addEventListener("click", function () {
            download("/api/files/" + encodeURIComponent(ans.form) + "/" + encodeURIComponent(it.id) + "/" + encodeURIComponent(field));
          });
        });
      });
    });
  }

  function load() {
    return call("GET", "/api/commendation").then(function (ans) {
      if (ans.status !== 200) { say(ans.message || "Chưa tải được các đề cử; thử lại sau."); return; }
      show(ans);
    });
  }

  root.querySelector("[data-commend-docx]").addEventListener("click", function () {
    download("/api/commendation.docx");
  });
  load();
})();
