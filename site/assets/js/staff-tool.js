// What the staff's tool pages (check-in, guests, commendation) share, loaded
// before each page's own script, never on the staff page itself: the
// account signed in on the staff page in this tab (sessionStorage), calls
// with the staff headers, the status line and elements made with their
// text. loaStaffTool(root, name) finds the page's parts by their
// data-{name}-… attributes; without a signed-in account it shows the way
// back to the staff page and its answer has no secret.
(function () {
  "use strict";
  function kept(k) { try { return sessionStorage.getItem(k) || ""; } catch (e) { return ""; } }
  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  window.loaStaffTool = function (root, name) {
    var HEADER = root.getAttribute("data-header") || "X-Loa-Staff";
    var board = root.querySelector("[data-" + name + "-board]");
    var signin = root.querySelector("[data-" + name + "-signin]");
    var status = root.querySelector("[data-" + name + "-status]");
    var secret = kept("loa-staff-secret");
    var t = { board: board, secret: secret, el: el };
    t.say = function (text) { status.textContent = text || ""; };
    // refused hides the board and shows the way back to the staff page.
    t.refused = function () { board.hidden = true; signin.hidden = false; };
    t.headers = function () {
      var h = { "Accept": "application/json" };
      h[HEADER] = secret;
      var account = kept("loa-staff-account");
      if (account) h["X-Loa-Account"] = account;
      return h;
    };
    // fetchJSON answers the parsed JSON with its status; a lost connection
    // rejects.
    t.fetchJSON = function (method, url, body) {
      var h = t.headers();
      var init = { method: method, headers: h, credentials: "same-origin", cache: "no-store" };
      if (body) { h["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
      return fetch(url, init).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (ans) { ans.status = res.status; return ans; });
      });
    };
    // call is fetchJSON where a refused sign-in shows the way back to the
    // staff page and a lost connection answers status 0 with a message.
    t.call = function (method, url, body) {
      return t.fetchJSON(method, url, body).then(function (ans) {
        if (ans.status === 401) t.refused();
        return ans;
      }, function () { return { status: 0, message: "Mất kết nối; kiểm tra mạng rồi thử lại." }; });
    };
    if (!secret) signin.hidden = false;
    return t;
  };
})();
