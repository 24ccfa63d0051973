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

  // The daily digest: one's own address and yes or no; a quản lý sets
  // anyone's and sees who gets it. Built here, not in the page, so that the
  // staff page stays within its weight.
  var dig = digestSection(), dSaved = [];
  root.querySelector(".staff-audit").before(dig.section);

  function digestSection() {
    var section = el("section", { "class": "staff-digest", "aria-labelledby": "thu-tom-tat-tieu-de" });
    section.appendChild(el("h2", { id: "thu-tom-tat-tieu-de" }, "Thư tóm tắt hằng ngày"));
    var when = section.appendChild(el("p"));
    var form = section.appendChild(el("form", { "aria-label": "Đặt thư tóm tắt", "data-staff-digest": "" }));
    var pick = form.appendChild(el("div", { "class": "form-group", "data-staff-manager": "" }));
    pick.appendChild(el("label", { "class": "form-label", "for": "thu-tai-khoan" }, "Tài khoản"));
    var account = pick.appendChild(el("select", { "class": "form-select", id: "thu-tai-khoan", name: "account" }));
    var g = form.appendChild(el("div", { "class": "form-group" }));
    g.appendChild(el("label", { "class": "form-label", "for": "thu-email" }, "Email nhận thư"));
    g.appendChild(el("p", { "class": "form-hint", id: "thu-email-goi-y" }, "Một địa chỉ, ví dụ nguyen.lan@phuong.gov.vn."));
    var email = g.appendChild(el("input", { "class": "form-input", id: "thu-email", name: "email", type: "email", autocomplete: "email",
      spellcheck: "false", autocapitalize: "off", maxlength: "254", "aria-describedby": "thu-email-goi-y" }));
    var c = form.appendChild(el("div", { "class": "form-checkbox" }));
    var on = c.appendChild(el("input", { type: "checkbox", id: "thu-nhan", name: "on" }));
    c.appendChild(el("label", { "for": "thu-nhan" }, "Nhận thư tóm tắt mỗi ngày"));
    form.appendChild(el("button", { "class": "form-button", type: "submit" }, "Lưu"));
    var test = section.appendChild(el("p")).appendChild(el("button", { "class": "staff-button", type: "button", "data-staff-digest-now": "" }, "Gửi thử cho tôi ngay"));
    test.addEventListener("click", function () {
      dig.said.textContent = "Đang gửi thư thử…";
      call("POST", "/api/digest-now").then(function (ans) { dig.said.textContent = ans.message; loadAudit(1); },
        function (err) { if (err.status === 401) failed(err); else dig.said.textContent = err.message; });
    });
    var said = section.appendChild(el("p", { role: "status", "aria-live": "polite", "data-staff-digest-said": "" }));
    var wrap = section.appendChild(el("div", { "class": "staff-scroll", tabindex: "0", role: "region", "aria-label": "Bảng nhận thư tóm tắt", "data-staff-manager": "" }));
    var table = wrap.appendChild(el("table", { "class": "staff-table" }));
    table.appendChild(el("caption", null, "Ai nhận thư tóm tắt"));
    var head = table.appendChild(el("thead")).appendChild(el("tr"));
    ["Tên đăng nhập", "Họ tên", "Email", "Nhận thư"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var list = table.appendChild(el("tbody"));
    form.addEventListener("submit", saveDigest);
    account.addEventListener("change", function () { fillDigest(account.value); });
    return { section: section, when: when, form: form, account: account, email: email, on: on, said: said, list: list };
  }

  function fillDigest(id) {
    var d = dSaved.filter(function (x) { return x.account === id; })[0] || { email: "", on: false };
    dig.email.value = d.email;
    dig.on.checked = d.on;
  }

  function loadDigest() {
    return call("GET", "/api/digest").then(function (ans) {
      var manager = S.who.role === "quan-ly";
      dig.section.querySelectorAll("[data-staff-manager]").forEach(function (n) { n.hidden = !manager; });
      dig.when.textContent = (ans.when ? "Máy chủ gửi thư tóm tắt " + ans.when + "" : "Máy chủ này chưa được cấu hình gửi thư; bạn vẫn đặt trước được") +
        ". Thư chỉ có số liệu: câu hỏi mới theo lĩnh vực, câu hỏi chờ trả lời, đại biểu theo chi đoàn và chi đoàn còn thiếu, hạn sắp tới, " +
        "và đường dẫn đến trang này; không có họ tên, số điện thoại, email hay nội dung câu hỏi của người dân.";
      dSaved = ans.accounts || [ans.own];
      var keep = dig.account.value || ans.own.account;
      dig.account.textContent = "";
      dig.list.textContent = "";
      dSaved.forEach(function (d) {
        dig.account.appendChild(el("option", { value: d.account }, d.account + (d.name ? " (" + d.name + ")" : "")));
        dig.list.appendChild(row([d.account, d.name || "", d.email || "", d.on ? "Có" : "Không"]));
      });
      dig.account.value = dSaved.some(function (d) { return d.account === keep; }) ? keep : ans.own.account;
      fillDigest(dig.account.value);
    }, failed);
  }

  function saveDigest(ev) {
    ev.preventDefault();
    var id = dig.account.value || S.who.id;
    call("PUT", "/api/digest/" + encodeURIComponent(id), 0, { email: dig.email.value.trim(), on: dig.on.checked }).then(function (ans) {
      dig.said.textContent = ans.message;
      loadDigest();
      loadAudit(1);
    }, function (err) {
      if (err.status === 401) failed(err); else dig.said.textContent = err.message;
    });
  }

  S.refresh = function (who) {
    if (who.role === "quan-ly") loadAccounts();
    loadDigest();
    loadAudit(1);
  };
  S.refresh(S.who);
})();
