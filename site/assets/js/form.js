// Progressive enhancement of the ward's forms. Without this script a form
// posts normally and the server answers with a page; with it, the answer
// comes back as JSON and is shown in place: errors next to their fields and
// in a summary that takes focus (GOV.UK pattern), or a thank-you message.
// What was typed is never cleared on an error. Sending again after a network
// error or a 503 is safe: the server stores an answer once.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !window.URLSearchParams) return;

  var RETRY = "Chưa gửi được vì mất kết nối hoặc hệ thống đang bận. Thông tin bạn nhập vẫn còn: " +
    "hãy kiểm tra mạng rồi bấm gửi lại. Gửi lại không tạo bản trùng.";

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function enhance(form) {
    var summary = form.querySelector("[data-error-summary]");
    var status = form.querySelector("[data-form-status]");
    var button = form.querySelector("button[type=submit]");
    var busy = false;

    function say(text) { if (status) status.textContent = text; }

    function describedBy(el, id, on) {
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
        return x && x !== id;
      });
      if (on) ids.push(id);
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    }

    function controls(group) {
      var fs = group.querySelector("fieldset");
      return fs ? [fs] : group.querySelectorAll("input, select, textarea");
    }

    function clearErrors() {
      each(form.querySelectorAll(".form-group--error"), function (g) {
        g.classList.remove("form-group--error");
        var p = g.querySelector(".form-error");
        if (p) p.hidden = true;
        each(controls(g), function (c) {
          c.removeAttribute("aria-invalid");
          if (p) describedBy(c, p.id, false);
        });
      });
      if (summary) {
        summary.hidden = true;
        var old = summary.querySelector("p");
        if (old) old.parentNode.removeChild(old);
        var ul = summary.querySelector("ul");
        if (ul) ul.innerHTML = "";
      }
    }

    function showSummary(message, errors) {
      if (!summary) { say(message); return; }
      var ul = summary.querySelector("ul");
      if (!ul) {
        ul = document.createElement("ul");
        ul.className = "error-summary__list";
        summary.appendChild(ul);
      }
      if (message) {
        var p = document.createElement("p");
        p.textContent = message;
        summary.insertBefore(p, ul);
      }
      (errors || []).forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + e.id;
        a.textContent = e.message;
        a.addEventListener("click", function (ev) {
          var target = document.getElementById(e.id);
          if (!target) return;
          ev.preventDefault();
          var group = target.closest(".form-group");
          if (group && group.scrollIntoView) group.scrollIntoView();
          target.focus();
        });
        li.appendChild(a);
        ul.appendChild(li);
      });
      summary.hidden = false;
      summary.focus();
    }

    function showErrors(errors) {
      errors.forEach(function (e) {
        var group = form.querySelector('[data-field="' + e.field + '"]');
        if (!group) return;
        group.classList.add("form-group--error");
        var p = document.getElementById(e.id + "-error");
        if (p) {
          var text = p.querySelector("[data-error-text]") || p;
          text.textContent = e.message;
          p.hidden = false;
        }
        each(controls(group), function (c) {
          if (c.tagName !== "FIELDSET") c.setAttribute("aria-invalid", "true");
          if (p) describedBy(c, p.id, true);
        });
      });
    }

    function success(data) {
      var box = document.createElement("div");
      box.className = "form-success";
      box.setAttribute("role", "status");
      box.tabIndex = -1;
      var h = document.createElement("h2");
      h.textContent = "Đã gửi";
      var p = document.createElement("p");
      p.textContent = data.message || form.getAttribute("data-thanks") || "Cảm ơn bạn.";
      box.appendChild(h);
      box.appendChild(p);
      if (data.code) {
        var receipt = document.createElement("div");
        receipt.className = "receipt";
        var label = document.createElement("p");
        label.textContent = "Mã tra cứu của bạn:";
        var code = document.createElement("p");
        code.className = "receipt-code";
        code.setAttribute("data-receipt-code", "");
        code.textContent = data.code;
        var keep = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = data.keep || "Hãy ghi lại mã này để tra cứu câu trả lời.";
        keep.appendChild(strong);
        var link = document.createElement("p");
        var a = document.createElement("a");
        a.href = "/tra-cuu/?ma=" + encodeURIComponent(data.code);
        a.textContent = "Tra cứu bằng mã này";
        link.appendChild(a);
        receipt.appendChild(label);
        receipt.appendChild(code);
        receipt.appendChild(keep);
        receipt.appendChild(link);
        box.appendChild(receipt);
      }
      var again = document.createElement("button");
      again.type = "button";
      again.className = "form-button";
      again.textContent = "Gửi thêm một lần khác";
      again.addEventListener("click", function () {
        form.reset();
        box.parentNode.removeChild(box);
        form.hidden = false;
        var first = form.querySelector("input, select, textarea");
        if (first) first.focus();
      });
      box.appendChild(again);
      form.parentNode.insertBefore(box, form);
      form.hidden = true;
      say("");
      box.focus();
    }

    // A form with a file goes as multipart/form-data. A photo larger than
    // the field allows is made smaller here first (a phone's camera takes
    // more than the ward needs); the server checks and cleans it anyway.
    var multipart = form.enctype === "multipart/form-data";

    function shrink(file, max) {
      if (!/^image\/(jpeg|png)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(null);
      return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (img) {
        var scale = Math.min(1, 2560 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale);
        c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        return new Promise(function (done) { c.toBlob(done, "image/jpeg", 0.85); });
      }).then(function (blob) {
        return blob && blob.size <= max ? blob : null;
      }, function () { return null; });
    }

    function body() {
      var data = new FormData(form);
      if (!multipart) return Promise.resolve(new URLSearchParams(data).toString());
      var tooLarge = [];
      var work = [];
      each(form.querySelectorAll("input[type=file]"), function (input) {
        var file = input.files && input.files[0];
        var max = Number(input.getAttribute("data-max-size"));
        if (!file || !max || file.size <= max) return;
        work.push(shrink(file, max).then(function (blob) {
          if (blob) data.set(input.name, blob, "anh.jpg");
          else tooLarge.push({ field: input.name, id: input.id, message: input.getAttribute("data-too-large") });
        }));
      });
      return Promise.all(work).then(function () {
        if (tooLarge.length) throw { errors: tooLarge };
        return data;
      });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (busy) return;
      busy = true;
      if (button) button.disabled = true;
      clearErrors();
      say("Đang gửi…");
      var headers = { "Accept": "application/json" };
      if (!multipart) headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8";
      body().then(function (b) {
        return fetch(form.action, { method: "POST", credentials: "same-origin", headers: headers, body: b });
      }).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          say("");
          if (res.ok && data.ok) success(data);
          else if (data.errors && data.errors.length) { // 422; 403 for a wrong registration code
            showErrors(data.errors);
            showSummary("", data.errors);
          } else showSummary(data.message || RETRY); // 409, 410, 429, 503, …
        });
      }, function (e) {
        say("");
        if (e && e.errors) { // a file too large, found before sending
          showErrors(e.errors);
          showSummary("", e.errors);
        } else showSummary(RETRY);
      }).then(function () {
        busy = false;
        if (button) button.disabled = false;
      });
    });
  }

  each(document.querySelectorAll("form[data-form]"), enhance);
})();
