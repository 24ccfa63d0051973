// The guests page (/quan-tri/khach-moi/), for a "quản lý". It uses the
// account signed in on the staff page in this tab (sessionStorage): it lists
// the guests (/api/guests) with their check-in codes, adds one by name, role
// and unit, removes one, and downloads the invitations of every guest and
// delegate (/api/invitations, a short-lived link) and the attendance as CSV
// (/api/attendance.csv).
(function () {
  "use strict";
  var root = document.querySelector("[data-guests]");
  if (!root || !window.fetch || !window.sessionStorage || !window.loaStaffTool) return;
  var tool = window.loaStaffTool(root, "guests");
  var board = tool.board, say = tool.say, el = tool.el, call = tool.call, headers = tool.headers;
  var list = root.querySelector("[data-guests-list]");
  var form = root.querySelector("[data-guests-new]");
  var when = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });
  if (!tool.secret) return;

  function load() {
    return call("GET", "/api/guests").then(function (ans) {
      if (ans.status !== 200) { say(ans.message || "Chưa tải được danh sách khách mời; thử lại sau."); return; }
      board.hidden = false;
      list.textContent = "";
      if (!ans.guests.length) {
        var none = list.appendChild(el("tr"));
        none.appendChild(el("td", { colspan: "6" }, "Chưa có khách mời nào."));
      }
      ans.guests.forEach(function (g) {
        var tr = list.appendChild(el("tr"));
        [g.name, g.role, g.unit || "", g.code, g.present ? "Đã đến lúc " + when.format(new Date(g.at)) : "Chưa"].forEach(function (c) {
          tr.appendChild(el("td", null, c));
        });
        var td = tr.appendChild(el("td"));
        if (!g.present) {
          var b = td.appendChild(el("button", { type: "button", "class": "form-button staff-button--danger" }, "Xóa " + g.name));
          b.addEventListener("click", function () {
            if (!window.confirm("Xóa khách mời " + g.name + " (" + g.role + ")? Giấy mời đã in của khách sẽ không dùng để điểm danh được nữa.")) return;
            call("DELETE", "/api/guests/" + encodeURIComponent(g.id)).then(function (r) { say(r.message); load(); });
          });
        }
      });
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = form.elements;
    say("Đang thêm khách mời…");
    call("POST", "/api/guests", { name: f.name.value, role: f.role.value, unit: f.unit.value }).then(function (ans) {
      say(ans.message);
      if (ans.ok) { form.reset(); f.name.focus(); load(); }
    });
  });

  Array.prototype.forEach.call(root.querySelectorAll("[data-guests-invitations]"), function (b) {
    b.addEventListener("click", function () {
      if (b.disabled) return;
      b.disabled = true;
      var kind = b.getAttribute("data-guests-invitations");
      say("Đang soạn giấy mời…");
      call("GET", "/api/invitations" + (kind === "pdf" ? "?dang=pdf" : "")).then(function (ans) {
        b.disabled = false;
        if (!ans.ok) { say(ans.message || "Chưa soạn được giấy mời; thử lại sau."); return; }
        say("Đã soạn tệp " + ans.file + " (" + ans.rows + " giấy mời). Đường tải có hiệu lực đến " + when.format(new Date(ans.expires)) + ".");
        window.location.href = ans.url;
      });
    });
  });

  root.querySelector("[data-guests-attendance]").addEventListener("click", function () {
    fetch("/api/attendance.csv", { headers: headers(), credentials: "same-origin", cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error();
      var name = (/filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "") || [])[1] || "diem-danh.csv";
      return res.blob().then(function (b) {
        var a = document.body.appendChild(el("a", { href: URL.createObjectURL(b), download: name }));
        a.click();
        a.remove();
        say("Đã tải danh sách điểm danh " + name + ".");
      });
    }).catch(function () { say("Không tải được danh sách điểm danh. Hãy thử lại."); });
  });

  load();
})();
