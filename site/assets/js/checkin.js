// The check-in page (/quan-tri/diem-danh/), for a phone at the door. It
// uses the account signed in on the staff page in this tab (sessionStorage),
// posts each code to /api/checkin (with a "try" id, so that a resend after a
// lost answer counts once) and shows /api/attendance: "Đã đến 47/60" and who
// has come by chi đoàn. The camera scans the QR code, with the browser's
// BarcodeDetector or, without one, with ZXing loaded then; the code can
// always be typed.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin]");
  if (!root || !window.fetch || !window.sessionStorage || !window.loaStaffTool) return;
  var tool = window.loaStaffTool(root, "checkin");
  var board = tool.board, say = tool.say, el = tool.el, call = tool.fetchJSON;
  var count = root.querySelector("[data-checkin-count]");
  var codeForm = root.querySelector("[data-checkin-code]");
  var search = root.querySelector("[data-checkin-search]");
  var found = root.querySelector("[data-checkin-found]");
  var groups = root.querySelector("[data-checkin-groups]");
  var walkin = root.querySelector("[data-checkin-walkin]");
  var num = new Intl.NumberFormat("vi-VN");
  var people = [];

  function fold(s) {
    return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  function tryID() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  if (!tool.secret) return;

  function load() {
    return call("GET", "/api/attendance").then(function (ans) {
      if (ans.status === 401 || ans.status === 403) { tool.refused(); return; }
      if (ans.status !== 200) { say(ans.message || "Chưa tải được danh sách; thử lại sau."); return; }
      board.hidden = false;
      people = ans.people || [];
      count.textContent = "Đã đến " + num.format(ans.present) + "/" + num.format(ans.expected) + " người (" +
        num.format(ans.invited - (ans.guests || 0)) + " đại biểu đã đăng ký, " + num.format(ans.guests || 0) + " khách mời).";
      groups.textContent = "";
      var t = el("table", { "class": "staff-table" });
      t.appendChild(el("caption", null, "Số người đã đến theo chi đoàn và khách mời"));
      var head = el("tr");
      ["Chi đoàn", "Đã đến"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
      t.appendChild(el("thead")).appendChild(head);
      var body = t.appendChild(el("tbody"));
      (ans.groups || []).forEach(function (g) {
        var tr = el("tr");
        tr.appendChild(el("th", { scope: "row" }, g.name));
        tr.appendChild(el("td", { "class": "staff-num" }, num.format(g.present) + "/" + num.format(g.total)));
        body.appendChild(tr);
      });
      groups.appendChild(t);
    }, function () { say("Mất kết nối; kiểm tra mạng rồi tải lại trang."); });
  }

  // send checks one person in, sending again (with the same try id) when the
  // network drops, so that nothing is counted twice.
  function send(body, tries) {
    say("Đang điểm danh…");
    return call("POST", "/api/checkin", body).then(function (ans) {
      say(ans.message || (ans.status === 200 ? "Đã điểm danh." : "Chưa điểm danh được."));
      return load().then(find);
    }, function () {
      if (tries > 0) return new Promise(function (ok) { setTimeout(ok, 1500); }).then(function () { return send(body, tries - 1); });
      say("Mất kết nối: chưa điểm danh được. Thử lại khi có mạng.");
    });
  }

  codeForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = codeForm.querySelector("input");
    var code = input.value.trim();
    if (!code) return;
    // The field is ready for the next person while this one is sent.
    input.value = "";
    input.focus();
    send({ code: code, try: tryID() }, 3);
  });

  // find lists the people whose name has what is typed in the search box.
  function find() {
    var q = fold(search.value.trim());
    found.textContent = "";
    if (q.length < 2) return;
    people.filter(function (p) { return fold(p.name).indexOf(q) >= 0; }).slice(0, 8).forEach(function (p) {
      var li = el("li", null, p.name + " – " + (p.guest ? [p.role, p.unit].filter(Boolean).join(", ") + " (khách mời)" : p.group) + (p.present ? " (đã đến)" : " "));
      if (!p.present && p.code) {
        var b = el("button", { type: "button", "class": "staff-button" }, "Điểm danh");
        b.addEventListener("click", function () { send({ code: p.code, try: tryID() }, 3); });
        li.appendChild(b);
      }
      found.appendChild(li);
    });
  }
  search.addEventListener("input", find);

  walkin.addEventListener("submit", function (ev) {
    ev.preventDefault();
    send({ name: walkin.elements.name.value, group: walkin.elements.group.value, try: tryID() }, 3).then(function () { walkin.reset(); });
  });

  // The camera. Where the browser reads QR codes itself (BarcodeDetector, as
  // Chrome on Android has it) it reads the video; elsewhere ZXing, loaded
  // from this site on the first scan, reads the frames drawn on a canvas.
  var decoderURL = root.getAttribute("data-qr-decoder");
  var zxing = null;
  function loadZXing() {
    if (window.ZXing) return Promise.resolve(window.ZXing);
    if (!zxing) {
      zxing = new Promise(function (ok, fail) {
        var s = el("script", { src: decoderURL });
        s.addEventListener("load", function () { if (window.ZXing) ok(window.ZXing); else fail(new Error()); });
        s.addEventListener("error", function () { zxing = null; fail(new Error()); });
        document.head.appendChild(s);
      });
    }
    return zxing;
  }
  // reader resolves to a function that reads the QR code in the video's
  // frame: its text, or "" when it sees none.
  function reader() {
    if ("BarcodeDetector" in window) {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve(function (v) {
        return detector.detect(v).then(function (codes) { return codes.length ? codes[0].rawValue : ""; });
      });
    }
    return loadZXing().then(function (Z) {
      var hints = new Map([[Z.DecodeHintType.POSSIBLE_FORMATS, [Z.BarcodeFormat.QR_CODE]]]);
      var qr = new Z.QRCodeReader(), canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      return function (v) {
        var w = v.videoWidth, h = v.videoHeight;
        if (!w || !h) return Promise.resolve("");
        canvas.width = w;
        canvas.height = h;
        ctx.drawImage(v, 0, 0, w, h);
        var px = ctx.getImageData(0, 0, w, h).data, lum = new Uint8ClampedArray(w * h);
        for (var i = 0, j = 0; i < lum.length; i++, j += 4) lum[i] = (px[j] * 299 + px[j + 1] * 587 + px[j + 2] * 114) / 1000;
        try {
          return Promise.resolve(qr.decode(new Z.BinaryBitmap(new Z.HybridBinarizer(new Z.RGBLuminanceSource(lum, w, h))), hints).getText());
        } catch (e) {
          return Promise.resolve(""); // no readable code in this frame
        }
      };
    });
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && ("BarcodeDetector" in window || decoderURL)) {
    var box = root.querySelector("[data-checkin-scan-box]");
    var video = root.querySelector("[data-checkin-video]");
    var scanning = false;
    box.hidden = false;
    root.querySelector("[data-checkin-scan]").addEventListener("click", function () {
      if (scanning) return;
      scanning = true;
      say("Đang mở máy ảnh…");
      function failed(text) { scanning = false; say(text + " Hãy nhập mã in trên giấy mời."); }
      reader().then(function (read) {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          video.play();
          say("Đưa mã QR trên giấy mời vào khung hình.");
          var until = Date.now() + 60000;
          function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; scanning = false; }
          (function look() {
            read(video).then(function (code) {
              if (code) { stop(); send({ code: code, try: tryID() }, 3); return; }
              if (Date.now() > until) { stop(); failed("Chưa đọc được mã QR trong một phút."); return; }
              setTimeout(look, 120);
            }, function () { stop(); failed("Không đọc được mã QR."); });
          })();
        }, function () { failed("Không mở được máy ảnh."); });
      }, function () { failed("Không tải được bộ đọc mã QR."); });
    });
  }

  load();
})();
