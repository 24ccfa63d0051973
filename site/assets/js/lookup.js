// /tra-cuu/: without this script the form POSTs to /api/tra-cuu, which
// answers a page; with it, the JSON answer is shown in a live region. ?ma=
// fills in the code, never the digits: the lookup is a POST so that the
// digits of a phone or an email stay out of every address and log.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) return;
  var form = document.querySelector("form[data-lookup]");
  var out = document.querySelector("[data-lookup-result]");
  if (!form || !out) return;
  var RETRY = "Chưa tra cứu được vì mất kết nối hoặc hệ thống đang bận. Hãy thử lại.";
  var day = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric" });
  var busy = false;

  var given = new URLSearchParams(window.location.search).get("ma");
  var codeInput = form.querySelector("input[name=ma]");
  if (given && codeInput && !codeInput.value) {
    codeInput.value = given;
    var next = form.querySelector("input[name=so]");
    if (next) next.focus();
  }

  function el(tag, text, cls) {
    var n = document.createElement(tag);
    if (text) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  }

  // CloudFront may turn a 404 into the site's 404 page.
  var NOT_FOUND = "Không tìm thấy câu hỏi nào với mã và thông tin liên hệ này. Hãy kiểm tra lại mã (ví dụ CH-7K3M-9Q2P) và 4 số cuối số điện thoại, hoặc email, bạn đã ghi khi gửi.";

  function show(data, ok, status) {
    out.textContent = "";
    if (!ok) { out.appendChild(el("p", data.message || (status === 404 ? NOT_FOUND : RETRY), "lookup-message")); return; }
    var dl = el("dl", "", "lookup-facts");
    dl.appendChild(el("dt", "Mã tra cứu"));
    dl.appendChild(el("dd", data.code));
    dl.appendChild(el("dt", "Trạng thái"));
    var st = el("dd", data.status_text);
    st.setAttribute("data-lookup-status", "");
    dl.appendChild(st);
    if (data.answered_at) {
      dl.appendChild(el("dt", "Ngày trả lời"));
      dl.appendChild(el("dd", day.format(new Date(data.answered_at))));
    }
    out.appendChild(dl);
    if (data.answer) {
      out.appendChild(el("h2", "Câu trả lời"));
      var box = el("div", "", "lookup-answer");
      box.setAttribute("data-lookup-answer", "");
      data.answer.split("\n").forEach(function (line) {
        if (line.trim()) box.appendChild(el("p", line.trim()));
      });
      out.appendChild(box);
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) return;
    busy = true;
    out.textContent = "Đang tra cứu…";
    var body = new URLSearchParams(new FormData(form)).toString();
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" } })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) { show(data, res.ok && data.ok, res.status); });
      }, function () { show({}, false); })
      .then(function () { busy = false; });
  });
})();
