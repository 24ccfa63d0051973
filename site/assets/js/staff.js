// The staff page (/quan-tri/). It asks for the account and its secret, keeps
// them in sessionStorage (gone when the tab is closed), reads /api/stats and
// draws per form: the total, bar charts per topic and per day (inline SVG,
// each with a table alternative), the quota table per chi đoàn, and
// download buttons (a short-lived link). Then the questions, 20 a page, each
// with its answer, and the compiled questions. A "trả lời" sees no "quản lý"
// section.
(function () {
  "use strict";
  var root = document.querySelector("[data-staff]");
  if (!root || !window.fetch || !window.sessionStorage) return;

  var HEADER = root.getAttribute("data-header") || "X-Loa-Staff";
  var KEY = "loa-staff-secret";
  var ACCOUNT_KEY = "loa-staff-account", who = null; // who: /api/dang-nhap
  var SVG = "http://www.w3.org/2000/svg";
  var login = root.querySelector("[data-staff-login]");
  var board = root.querySelector("[data-staff-board]");
  var status = root.querySelector("[data-staff-status]");
  var list = root.querySelector("[data-staff-forms]");
  var generated = root.querySelector("[data-staff-generated]");
  var delForm = root.querySelector("[data-staff-delete]");
  var delSelect = root.querySelector("[data-staff-delete-form]");
  var busy = false, loaded = 0;

  var num = new Intl.NumberFormat("vi-VN");
  var when = new Intl.DateTimeFormat("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"
  });
  var FORMAT_LABEL = { csv: "Tải CSV", xlsx: "Tải Excel (.xlsx)", summary: "Tải bảng tổng hợp theo chi đoàn (CSV)" };

  function say(text) { status.textContent = text || ""; }
  function kept(k) { try { return sessionStorage.getItem(k) || ""; } catch (e) { return ""; } }
  function keep(k, v) { try { if (v) sessionStorage.setItem(k, v); else sessionStorage.removeItem(k); } catch (e) {} }
  function secret() { return kept(KEY); }
  function setSecret(s) { keep(KEY, s); if (!s) who = null; }
  function account() { return kept(ACCOUNT_KEY); }
  function setAccount(a) { keep(ACCOUNT_KEY, a); }

  function el(tag, attrs, text, ns) {
    var n = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }
  function svg(tag, attrs, text) { return el(tag, attrs, text, true); }
  function dayLabel(iso) { var p = iso.split("-"); return p[2] + "/" + p[1]; }

  function showLogin(message) {
    board.hidden = true;
    login.hidden = false;
    say(message);
    var input = login.querySelector("[data-staff-secret]");
    var acc = login.querySelector("[data-staff-account]");
    if (acc && !acc.value) acc.value = account();
    if (input) { input.value = ""; (acc && !acc.value ? acc : input).focus(); }
  }

  // call sends one staff request: the parsed JSON, or an Error ready to show.
  // A 503 "partial" (progress saved) is sent again after Retry-After, a
  // bounded number of times.
  function call(method, url, tries, body) {
    tries = tries || 0;
    var headers = { "Accept": "application/json" };
    Object.assign(headers, window.loaStaff.headers());
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init)
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (ans) {
          if (res.ok) return ans;
          if (res.status === 503 && ans.partial && tries < 30) {
            say(ans.message);
            var wait = Math.max(1, parseInt(res.headers.get("Retry-After"), 10) || 1);
            return new Promise(function (done) { setTimeout(done, wait * 1000); })
              .then(function () { return call(method, url, tries + 1, body); });
          }
          var err = new Error(ans.message || ("Máy chủ trả lời lỗi " + res.status + "."));
          err.status = res.status;
          err.body = ans;
          throw err;
        });
      }, function () {
        throw new Error("Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.");
      });
  }

  function failed(err) {
    if (err.status === 401) { setSecret(""); showLogin(err.message); return; }
    say(err.message);
  }

  function load(done) {
    if (busy) return;
    busy = true;
    say("Đang tải số liệu…");
    (who ? Promise.resolve(who) : call("GET", "/api/dang-nhap")).then(function (w) {
      who = window.loaStaff.who = w;
      signedIn();
      return call("GET", "/api/stats");
    }).then(function (st) {
      login.hidden = true;
      board.hidden = false;
      render(st);
      say(typeof done === "string" ? done : "Đã tải số liệu.");
      loadQuestions(qPage);
      if (who.role === "quan-ly") loadCompile();
      if (window.loaStaff.refresh) window.loaStaff.refresh(who);
      else if (who.script && !loaded++) document.body.appendChild(el("script", { src: who.script }));
    }, failed).then(function () { busy = false; });
  }

  // signedIn shows who is signed in, and hides what their role may not do.
  function signedIn() {
    root.querySelector("[data-staff-who]").textContent = "Đang đăng nhập: " + who.name + " (" + who.role_text + ").";
    root.querySelectorAll("[data-staff-manager]").forEach(function (n) { n.hidden = who.role !== "quan-ly"; });
    root.querySelector("[data-staff-by-group]").hidden = !who.shared;
  }

  // The questions and their answers.
  var qSection = root.querySelector("[data-staff-questions]");
  var qFilter = root.querySelector("[data-staff-filter]");
  var qList = root.querySelector("[data-staff-qlist]");
  var qCount = root.querySelector("[data-staff-qcount]");
  var qPages = root.querySelector("[data-staff-qpages]");
  var byInput = root.querySelector("[data-staff-by]");
  var NAME = "loa-staff-name";
  var qPage = 1;
  try { byInput.value = sessionStorage.getItem(NAME) || ""; } catch (e) {}
  byInput.addEventListener("change", function () { try { sessionStorage.setItem(NAME, byInput.value.trim()); } catch (e) {} });

  function fillSelect(sel, items, value, text) {
    var keep = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    (items || []).forEach(function (it) { sel.appendChild(el("option", { value: value(it) }, text(it))); });
    sel.value = keep;
  }

  function loadQuestions(page) {
    qPage = page || 1;
    var q = new URLSearchParams(new FormData(qFilter));
    q.delete("by");
    q.set("trang", String(qPage));
    return call("GET", "/api/questions?" + q.toString()).then(function (ans) {
      fillSelect(root.querySelector("[data-staff-topics]"), ans.topics, function (t) { return t; }, function (t) { return t; });
      fillSelect(root.querySelector("[data-staff-statuses]"), ans.statuses, function (s) { return s.value; }, function (s) { return s.text; });
      qCount.textContent = num.format(ans.total) + " câu hỏi" + (ans.pages > 1 ? "; trang " + ans.page + "/" + ans.pages : "") + ".";
      qList.textContent = "";
      ans.items.forEach(function (it) { qList.appendChild(questionItem(it, ans.statuses)); });
      qPages.textContent = "";
      if (ans.page > 1) qPages.appendChild(pageButton("Trang trước", ans.page - 1));
      if (ans.page < ans.pages) qPages.appendChild(pageButton("Trang sau", ans.page + 1));
    }, function (err) {
      if (err.status === 404) { qSection.hidden = true; return; }
      failed(err);
    });
  }

  function pageButton(text, page) {
    var b = el("button", { type: "button", "class": "staff-button" }, text);
    b.addEventListener("click", function () { loadQuestions(page); });
    return b;
  }

  function questionItem(it, statuses) {
    var id = "cau-hoi-" + it.id;
    var li = el("li", { "class": "staff-q", "data-question": it.id });
    li.appendChild(el("h3", { id: id }, it.code + " · " + it.topic));
    li.appendChild(el("p", { "class": "staff-state" }, "Gửi lúc " + when.format(new Date(it.time)) + ". Trạng thái: " + it.status_text +
      (it.answered_at ? "; lưu lần cuối " + when.format(new Date(it.answered_at)) + (it.by ? " bởi " + it.by : "") : "") + "."));
    var text = el("div", { "class": "staff-qtext" });
    it.question.split("\n").forEach(function (line) { if (line.trim()) text.appendChild(el("p", null, line)); });
    li.appendChild(text);

    var form = el("form", { "class": "staff-answer", "aria-labelledby": id });
    var g1 = el("div", { "class": "form-group" });
    g1.appendChild(el("label", { "class": "form-label", "for": id + "-tl" }, "Câu trả lời"));
    var answer = el("textarea", { "class": "form-textarea", id: id + "-tl", name: "answer", rows: "5", maxlength: "10000" });
    answer.value = it.answer || "";
    g1.appendChild(answer);
    form.appendChild(g1);

    // The question as /hoi-dap/ shows it: staff may take out a name or a
    // phone number the asker wrote; the asker's text stays in the export.
    var gq = el("div", { "class": "form-group" });
    gq.appendChild(el("label", { "class": "form-label", "for": id + "-cq" }, "Câu hỏi khi công bố"));
    gq.appendChild(el("p", { "class": "form-hint", id: id + "-cq-goi-y" }, "Sửa để bỏ họ tên, số điện thoại hoặc thông tin riêng trước khi công bố. Câu hỏi gốc vẫn được giữ trong tệp tải về."));
    var pq = el("textarea", { "class": "form-textarea", id: id + "-cq", name: "question", rows: "3", maxlength: "4000", "aria-describedby": id + "-cq-goi-y" });
    pq.value = it.public_question || it.question;
    gq.appendChild(pq);
    form.appendChild(gq);

    var g2 = el("div", { "class": "form-group" });
    g2.appendChild(el("label", { "class": "form-label", "for": id + "-tt" }, "Trạng thái"));
    var status = el("select", { "class": "form-select", id: id + "-tt", name: "status" });
    statuses.forEach(function (o) { status.appendChild(el("option", { value: o.value }, o.text)); });
    status.value = it.status;
    g2.appendChild(status);
    form.appendChild(g2);

    var g3 = el("div", { "class": "form-checkbox" });
    var pub = el("input", { type: "checkbox", id: id + "-cb", name: "public" });
    pub.checked = !!it.public;
    if (!it.consent) pub.disabled = true;
    g3.appendChild(pub);
    g3.appendChild(el("label", { "for": id + "-cb" }, it.consent ? "Công bố trên trang Hỏi đáp (người hỏi đã đồng ý)" : "Không công bố được: người hỏi không đồng ý công bố"));
    form.appendChild(g3);

    var msg = el("p", { "class": "staff-qstatus", role: "status", "aria-live": "polite" });
    var save = el("button", { type: "submit", "class": "form-button" }, "Lưu câu trả lời");
    form.appendChild(save);
    form.appendChild(msg);
    var base = it.version;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var by = who && !who.shared ? who.name : byInput.value.trim();
      if (!by) { msg.textContent = "Nhập tên người trả lời ở phần lọc phía trên."; byInput.focus(); return; }
      save.disabled = true;
      msg.textContent = "Đang lưu…";
      call("PUT", "/api/answers/" + encodeURIComponent(it.form) + "/" + encodeURIComponent(it.id), 0,
        { answer: answer.value, question: pq.value, by: by, status: status.value, public: pub.checked, base: base })
        .then(function (ans) {
          base = ans.version;
          msg.textContent = ans.message;
        }, function (err) {
          if (err.status === 401) { failed(err); return; }
          msg.textContent = err.message; // 409: the text stays in the box, and in the store
        }).then(function () { save.disabled = false; });
    });
    li.appendChild(form);
    return li;
  }

  // The compiled questions: keep, leave out or merge; the Word file.
  var cSection = root.querySelector("[data-staff-compile]");
  var cCount = root.querySelector("[data-staff-compile-count]");
  var cList = root.querySelector("[data-staff-compile-list]");
  var cPairs = root.querySelector("[data-staff-pairs]");
  var cNone = root.querySelector("[data-staff-pairs-none]");
  var cNames = root.querySelector("[data-staff-compile-names]");
  var cButton = root.querySelector("[data-staff-compile-download]");
  var cForm = "";

  function loadCompile(message) {
    return call("GET", "/api/compile").then(function (ans) {
      cForm = ans.form;
      cSection.hidden = false;
      var byId = {};
      ans.items.forEach(function (it) { byId[it.id] = it; });
      var out = ans.items.filter(function (it) { return it.out && !it.into; }).length;
      var merged = ans.items.filter(function (it) { return it.into; }).length;
      cCount.textContent = "Văn bản sẽ có " + num.format(ans.entries) + " câu hỏi (" + num.format(ans.askers) + " lượt hỏi). Để ra ngoài: " +
        num.format(out) + " câu; đã gộp: " + num.format(merged) + " câu.";
      cPairs.textContent = "";
      cNone.hidden = ans.similar.length > 0;
      ans.similar.forEach(function (p) {
        var a = byId[p.a], b = byId[p.b];
        if (!a || !b) return;
        if (new Date(b.time) < new Date(a.time)) { var x = a; a = b; b = x; } // the newer goes into the older
        cPairs.appendChild(pairItem(a, b, p.score));
      });
      cList.textContent = "";
      var topics = (ans.topics || []).slice();
      ans.items.forEach(function (it) { if (topics.indexOf(it.topic) < 0) topics.push(it.topic); });
      topics.forEach(function (t, i) {
        var items = ans.items.filter(function (it) { return it.topic === t; });
        if (!items.length) return;
        var hid = "th-lv-" + i;
        cList.appendChild(el("h4", { id: hid }, t + " (" + num.format(items.length) + ")"));
        var ul = el("ul", { "class": "staff-clist", "aria-labelledby": hid });
        items.forEach(function (it) { ul.appendChild(compileItem(it, byId)); });
        cList.appendChild(ul);
      });
      if (message) say(message);
    }, function (err) {
      if (err.status === 404) { cSection.hidden = true; return; }
      failed(err);
    });
  }

  function side(it) {
    var d = el("div", { "class": "staff-pair-side" });
    d.appendChild(el("p", { "class": "staff-meta" }, it.code + " · " + it.group + " · " + it.topic));
    d.appendChild(el("p", null, it.question));
    return d;
  }

  function pairItem(a, b, score) {
    var li = el("li", { "class": "staff-pair" });
    var sides = el("div", { "class": "staff-pair-sides" });
    sides.appendChild(side(a));
    sides.appendChild(side(b));
    li.appendChild(sides);
    li.appendChild(el("p", { "class": "staff-meta" }, "Giống nhau khoảng " + Math.round(score * 100) + "%."));
    var btn = el("button", { type: "button", "class": "staff-button" }, "Gộp " + b.code + " vào " + a.code);
    btn.addEventListener("click", function () { mark(b, { into: a.id }, btn); });
    li.appendChild(btn);
    return li;
  }

  function compileItem(it, byId) {
    var li = el("li", { "class": "staff-citem" + (it.out || it.into ? " staff-citem--out" : ""), "data-compile": it.id });
    li.appendChild(el("p", { "class": "staff-meta" }, it.code + " · " + it.group));
    li.appendChild(el("p", { "class": "staff-ctext" }, it.question));
    if (it.into) {
      var into = byId[it.into];
      li.appendChild(el("p", null, "Đã gộp vào câu " + (into ? into.code : it.into) + "."));
      var undo = el("button", { type: "button", "class": "staff-button" }, "Tách " + it.code + " ra");
      undo.addEventListener("click", function () { mark(it, {}, undo); });
      li.appendChild(undo);
      return li;
    }
    var box = el("div", { "class": "form-checkbox" });
    var cb = el("input", { type: "checkbox", id: "th-" + it.id });
    cb.checked = !it.out;
    cb.addEventListener("change", function () { mark(it, { out: !cb.checked }, cb); });
    box.appendChild(cb);
    box.appendChild(el("label", { "for": "th-" + it.id }, "Đưa vào tổng hợp"));
    li.appendChild(box);
    return li;
  }

  function mark(it, body, control) {
    control.disabled = true;
    call("PUT", "/api/marks/" + encodeURIComponent(cForm) + "/" + encodeURIComponent(it.id), 0, body).then(function (ans) {
      return loadCompile(ans.message);
    }, failed).then(function () { control.disabled = false; });
  }

  cButton.addEventListener("click", function () {
    if (cButton.disabled || !cForm) return;
    cButton.disabled = true;
    say("Đang soạn văn bản Tổng hợp câu hỏi…");
    call("GET", "/api/compile/" + encodeURIComponent(cForm) + (cNames.checked ? "?ten=1" : "")).then(function (ans) {
      say("Đã soạn tệp " + ans.file + " (" + num.format(ans.rows) + " câu hỏi). Đường tải có hiệu lực đến " + when.format(new Date(ans.expires)) + ".");
      window.location.href = ans.url;
    }, failed).then(function () { cButton.disabled = false; });
  });

  qFilter.addEventListener("submit", function (ev) {
    ev.preventDefault();
    loadQuestions(1);
  });

  function render(st) {
    generated.textContent = "Số liệu lúc " + when.format(new Date(st.generated)) + ".";
    list.textContent = "";
    delSelect.length = 1; // keep the empty "Chọn biểu mẫu"
    (st.forms || []).forEach(function (f) {
      list.appendChild(formSection(f));
      delSelect.appendChild(el("option", { value: f.id }, f.title));
    });
  }

  function formSection(f) {
    var id = "bm-" + f.id;
    var sec = el("section", { "class": "staff-form", "aria-labelledby": id });
    sec.appendChild(el("h2", { id: id }, f.title));
    var state = f.open ? "Đang nhận câu trả lời đến " + when.format(new Date(f.closes)) + "."
      : (new Date(f.opens) > new Date() ? "Chưa mở; mở lúc " + when.format(new Date(f.opens)) + "." : "Đã đóng lúc " + when.format(new Date(f.closes)) + ".");
    sec.appendChild(el("p", { "class": "staff-state" }, state));
    var total = el("p", { "class": "staff-total" });
    total.appendChild(el("strong", null, num.format(f.total)));
    total.appendChild(document.createTextNode(f.quota ? " đại biểu đã đăng ký" : " câu trả lời"));
    sec.appendChild(total);

    var tools = el("p", { "class": "staff-downloads" });
    (f.formats || []).forEach(function (fmt) {
      var b = el("button", { type: "button", "class": "staff-button" + (fmt === "xlsx" ? " staff-button--main" : "") }, FORMAT_LABEL[fmt] || fmt);
      b.addEventListener("click", function () { download(f, fmt, b); });
      tools.appendChild(b);
    });
    sec.appendChild(tools);
    sec.appendChild(el("p", { "class": "form-hint" }, "Nên dùng tệp Excel (.xlsx): Excel tiếng Việt có thể mở tệp CSV thành một cột."));

    if (f.topics && f.topics.length) sec.appendChild(topicChart(f, id));
    if (f.days && f.days.length) sec.appendChild(dayChart(f, id));
    if (f.quota) sec.appendChild(quotaTable(f, id));
    return sec;
  }

  // topicChart: a row per topic, its name as text and its bar as SVG.
  function topicChart(f, id) {
    var fig = el("figure", { "class": "staff-chart", "aria-labelledby": id + "-lv" });
    fig.appendChild(el("figcaption", { id: id + "-lv" }, "Số câu trả lời theo " + (f.topic_label || "lĩnh vực").toLowerCase()));
    var max = Math.max.apply(null, f.topics.map(function (t) { return t.count; }).concat([1]));
    var ul = el("ul", { "class": "staff-bars" });
    f.topics.forEach(function (t) {
      var li = el("li");
      li.appendChild(el("span", { "class": "staff-bar-label" }, t.name + ": " + num.format(t.count)));
      var s = svg("svg", { viewBox: "0 0 100 6", preserveAspectRatio: "none", "class": "staff-bar", "aria-hidden": "true", focusable: "false" });
      s.appendChild(svg("rect", { x: 0, y: 0, width: 100, height: 6, "class": "staff-bar-track" }));
      s.appendChild(svg("rect", { x: 0, y: 0, width: (100 * t.count / max).toFixed(2), height: 6, "class": "staff-bar-fill" }));
      li.appendChild(s);
      ul.appendChild(li);
    });
    fig.appendChild(ul);
    return fig;
  }

  // dayChart: a column per day in one SVG (role img), scrolling sideways,
  // and the same numbers as a table for screen readers and printing.
  function dayChart(f, id) {
    var fig = el("figure", { "class": "staff-chart" });
    var capId = id + "-ngay";
    fig.setAttribute("aria-labelledby", capId);
    fig.appendChild(el("figcaption", { id: capId }, "Số câu trả lời theo ngày"));
    var days = f.days, max = Math.max.apply(null, days.map(function (d) { return d.count; }).concat([1]));
    var col = 34, top = 22, h = 140, bottom = 24, w = Math.max(days.length * col, 280);
    var s = svg("svg", { viewBox: "0 0 " + w + " " + (top + h + bottom), width: w, height: top + h + bottom, role: "img", "aria-labelledby": capId + "-t " + capId + "-d", "class": "staff-days" });
    s.appendChild(svg("title", { id: capId + "-t" }, "Số câu trả lời theo ngày"));
    var best = days.reduce(function (a, d) { return d.count > a.count ? d : a; }, days[0]);
    s.appendChild(svg("desc", { id: capId + "-d" }, "Từ " + dayLabel(days[0].name) + " đến " + dayLabel(days[days.length - 1].name) +
      ", tổng " + num.format(f.total) + "; nhiều nhất " + num.format(best.count) + " vào ngày " + dayLabel(best.name) + ". Bảng số liệu ở ngay dưới."));
    days.forEach(function (d, i) {
      var bh = Math.round(h * d.count / max), x = i * col + 4;
      var g = svg("g");
      g.appendChild(svg("rect", { x: x, y: top + h - bh, width: col - 8, height: Math.max(bh, d.count ? 1 : 0), "class": "staff-bar-fill" }));
      g.appendChild(svg("text", { x: x + (col - 8) / 2, y: top + h - bh - 5, "text-anchor": "middle", "class": "staff-svg-num" }, d.count ? num.format(d.count) : ""));
      g.appendChild(svg("text", { x: x + (col - 8) / 2, y: top + h + 16, "text-anchor": "middle", "class": "staff-svg-axis" }, dayLabel(d.name)));
      s.appendChild(g);
    });
    s.appendChild(svg("line", { x1: 0, x2: w, y1: top + h + 0.5, y2: top + h + 0.5, "class": "staff-svg-base" }));
    var box = el("div", { "class": "staff-scroll", tabindex: "0", role: "group", "aria-label": "Biểu đồ theo ngày, cuộn ngang để xem hết" });
    box.appendChild(s);
    fig.appendChild(box);

    var det = el("details", { "class": "staff-table-alt" });
    det.appendChild(el("summary", null, "Xem dạng bảng"));
    var t = el("table", { "class": "staff-table" });
    t.appendChild(el("caption", null, "Số câu trả lời theo ngày"));
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Ngày"));
    head.appendChild(el("th", { scope: "col" }, "Số câu trả lời"));
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    days.forEach(function (d) {
      var tr = el("tr");
      var p = d.name.split("-");
      tr.appendChild(el("th", { scope: "row" }, p[2] + "/" + p[1] + "/" + p[0]));
      tr.appendChild(el("td", { "class": "staff-num" }, num.format(d.count)));
      body.appendChild(tr);
    });
    det.appendChild(t);
    fig.appendChild(det);
    return fig;
  }

  function quotaTable(f, id) {
    var q = f.quota;
    var wrap = el("div", { "class": "staff-quota" });
    var label = q.label || "Chi đoàn";
    wrap.appendChild(el("h3", null, "Đại biểu theo " + label.toLowerCase()));
    var listed = q.groups.filter(function (g) { return g.listed; });
    wrap.appendChild(el("p", null, "Đủ " + num.format(q.quota) + " đại biểu: " + num.format(q.full) + "/" + num.format(listed.length) +
      " chi đoàn. Chưa có đại biểu: " + num.format(q.none.length) + " chi đoàn."));
    if (q.none.length) {
      var box = el("div", { "class": "staff-missing" });
      box.appendChild(el("p", null, "Chi đoàn chưa có đại biểu nào:"));
      var ul = el("ul");
      q.none.forEach(function (n) { ul.appendChild(el("li", null, n)); });
      box.appendChild(ul);
      wrap.appendChild(box);
    }
    var scroll = el("div", { "class": "staff-scroll" });
    var t = el("table", { "class": "staff-table" });
    t.appendChild(el("caption", null, "Số đại biểu đã đăng ký của từng " + label.toLowerCase() + " (tối đa " + q.quota + ")"));
    var head = el("tr");
    [label, "Đã đăng ký", "Còn thiếu", "Ghi chú"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    q.groups.forEach(function (g) {
      var tr = el("tr", g.count === 0 ? { "class": "staff-row--none" } : (g.missing > 0 ? { "class": "staff-row--short" } : null));
      tr.appendChild(el("th", { scope: "row" }, g.name));
      tr.appendChild(el("td", { "class": "staff-num" }, g.count + "/" + q.quota));
      tr.appendChild(el("td", { "class": "staff-num" }, num.format(g.missing)));
      var note = !g.listed ? "Không còn trong danh sách chi đoàn" : (g.count === 0 ? "Chưa có đại biểu" : (g.missing === 0 ? "Đủ" : "Còn thiếu"));
      tr.appendChild(el("td", null, note));
      body.appendChild(tr);
    });
    scroll.appendChild(t);
    wrap.appendChild(scroll);
    return wrap;
  }

  function download(f, fmt, button) {
    if (button.disabled) return;
    button.disabled = true;
    say("Đang chuẩn bị tệp " + (FORMAT_LABEL[fmt] || fmt).replace(/^Tải /, "") + " của “" + f.title + "”…");
    call("GET", "/api/export/" + encodeURIComponent(f.id) + "?format=" + encodeURIComponent(fmt)).then(function (ans) {
      say("Đã tạo tệp " + ans.file + " (" + num.format(ans.rows) + " dòng). Đường tải có hiệu lực đến " + when.format(new Date(ans.expires)) + ".");
      window.location.href = ans.url;
    }, failed).then(function () { button.disabled = false; });
  }

  login.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = login.querySelector("[data-staff-secret]").value.trim();
    if (!v) { say("Nhập mã quản trị."); return; }
    setAccount(login.querySelector("[data-staff-account]").value.trim().toLowerCase());
    setSecret(v);
    who = null;
    load();
  });
  root.querySelector("[data-staff-reload]").addEventListener("click", function () { load(); });
  root.querySelector("[data-staff-logout]").addEventListener("click", function () {
    setSecret("");
    setAccount("");
    list.textContent = "";
    showLogin("Đã thoát. Mã quản trị đã bị xóa khỏi trình duyệt.");
  });
  delForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = delSelect.value;
    var idInput = delForm.querySelector("input[name=id]");
    var id = idInput.value.trim().toLowerCase();
    if (!/^[0-9a-f]{12}$/.test(id)) { say("Mã câu trả lời gồm 12 ký tự 0–9 và a–f."); idInput.focus(); return; }
    var title = delSelect.options[delSelect.selectedIndex].textContent;
    if (!window.confirm("Xóa vĩnh viễn câu trả lời mã " + id + " của biểu mẫu “" + title + "”? Không thể hoàn tác.")) return;
    call("DELETE", "/api/submissions/" + encodeURIComponent(form) + "/" + encodeURIComponent(id)).then(function (ans) {
      idInput.value = "";
      load(ans.message);
    }, failed);
  });

  // The accounts and the audit log: staff-log.js, named by the sign-in.
  window.loaStaff = { call: call, el: el, say: say, failed: failed, when: when, num: num, root: root,
    headers: function () { var h = {}; h[HEADER] = secret(); if (account()) h["X-Loa-Account"] = account(); return h; } };

  if (secret()) load(); else showLogin("");
})();
