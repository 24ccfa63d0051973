// The staff page's accounts ("quản lý" only) and audit log (20 a page, by
// person and action; a "quản lý" downloads it as CSV). Loaded by staff.js
// once signed in, from the address the sign-in answer gives.
(function () {
  "use strict";
  var S = window.loaStaff;
  if (!S) return;
  var root = S.root, el = S.el, call = S.call, say = S.say, failed = S.failed, when = S.when, num = S.num;
  var accList = root.querySelector("[data-staff-accounts]"), accForm = root.querySelector("[data-staff-account-new]");
  var aFilter = root.querySelector("[data-staff-audit-filter]"), aActions = aFilter.elements.thao_tac;

  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { var td = tr.appendChild(el("td")); if (c.nodeType) td.appendChild(c); else td.textContent = c; });
    return tr;
  }

  function loadAccounts() {
    return call("GET", "/api/accounts").then(function (ans) {
      accList.textContent = "";
      ans.accounts.forEach(function (a) {
        var b = el("button", { type: "button", "class": "form-button staff-button--danger" }, "Xóa " + a.id);
        b.addEventListener("click", function () {
          if (!window.confirm("Xóa tài khoản “" + a.id + "” (" + a.name + ")? Mã của tài khoản này sẽ không dùng được nữa.")) return;
          call("DELETE", "/api/accounts/" + encodeURIComponent(a.id)).then(function (r) { say(r.message); loadAccounts(); loadAudit(1); }, failed);
        });
        accList.appendChild(row([a.id, a.name, a.role_text, when.format(new Date(a.at)), b]));
      });
    }, failed);
  }

  accForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = accForm.elements, made = root.querySelector("[data-staff-account-made]");
    call("POST", "/api/accounts", 0, { id: f.id.value.trim().toLowerCase(), name: f.name.value, role: f.role.value }).then(function (ans) {
      made.textContent = ans.message + " Mã đăng nhập: " + ans.secret;
      accForm.reset();
      loadAccounts();
      loadAudit(1);
    }, function (err) {
      if (err.status === 401) failed(err); else made.textContent = err.message;
    });
  });

  function auditQuery(page) {
    var q = new URLSearchParams({ nguoi: aFilter.elements.nguoi.value.trim().toLowerCase(), thao_tac: aActions.value });
    if (page) q.set("trang", String(page));
    return q.toString();
  }

  function loadAudit(page) {
    return call("GET", "/api/audit?" + auditQuery(page || 1)).then(function (ans) {
      if (aActions.options.length < 2) {
        ans.actions.forEach(function (o) { aActions.appendChild(el("option", { value: o.value }, o.text)); });
      }
      root.querySelector("[data-staff-audit-count]").textContent =
        num.format(ans.total) + " thao tác; trang " + ans.page + "/" + ans.pages + ".";
      var list = root.querySelector("[data-staff-audit-list]"), nav = root.querySelector("[data-staff-audit-pages]");
      list.textContent = "";
      nav.textContent = "";
      ans.items.forEach(function (it) {
        list.appendChild(row([when.format(new Date(it.at)), it.name + " (" + it.who + ")", it.action_text,
          [it.form, it.id].filter(Boolean).join(" / "), it.client || "", it.status + " " + (it.outcome || "")]));
      });
      [["Trang trước", ans.page - 1], ["Trang sau", ans.page + 1]].forEach(function (p) {
        if (p[1] < 1 || p[1] > ans.pages) return;
        var b = nav.appendChild(el("button", { type: "button", "class": "staff-button" }, p[0]));
        b.addEventListener("click", function () { loadAudit(p[1]); });
      });
    }, failed);
  }

  aFilter.addEventListener("submit", function (ev) { ev.preventDefault(); loadAudit(1); });
  root.querySelector("[data-staff-audit-csv]").addEventListener("click", function () {
    fetch("/api/audit.csv?" + auditQuery(), { headers: S.headers(), credentials: "same-origin", cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error();
      return res.blob();
    }).then(function (b) {
      var a = document.body.appendChild(el("a", { href: URL.createObjectURL(b), download: "nhat-ky-thao-tac.csv" }));
      a.click();
      a.remove();
      say("Đã tải nhật ký thao tác.");
    }).catch(function () { say("Không tải được nhật ký thao tác. Hãy thử lại."); });
  });

  S.refresh = function (who) {
    if (who.role === "quan-ly") loadAccounts();
    loadAudit(1);
  };
  S.refresh(S.who);
})();
