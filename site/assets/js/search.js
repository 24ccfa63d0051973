// The results page of the site's search (/tim-kiem/?q=…). The index is a set
// of static files built with the site (package build/search): a manifest,
// shards of the sorted word list, and one small fragment per page. A query
// fetches the manifest, the shards of its words and the fragments of the
// results it shows; nothing else, and nothing outside the site.
//
// Words are folded as the index folds them: NFD, marks dropped, đ → d,
// lowercase; "dang ky", "Đăng ký" and "ĐĂNG KÝ" meet. A query typed with
// marks ranks its exact spelling first; syllables side by side in the
// query rank pages that have them side by side first.
(function () {
  "use strict";
  var root = document.querySelector("[data-search]");
  if (!root || !window.fetch || !"".normalize) return;

  var WORD = /[\p{L}\p{M}\p{N}]+/gu, MARK = /\p{Mn}/gu;
  var PER_PAGE = 10;

  function fold(s) {
    return s.normalize("NFD").replace(/[đĐ]/g, "d").replace(MARK, "").toLowerCase();
  }
  // tokens: the words of s with their place, as the index splits them.
  function tokens(s) {
    var out = [], m, w;
    s = s.normalize("NFC");
    WORD.lastIndex = 0;
    while ((m = WORD.exec(s))) {
      w = m[0].toLowerCase();
      if (w.length > 40) continue;
      if (/^[0-9]+$/.test(w)) w = w.replace(/^0+(?=.)/, "");
      var k = fold(w);
      if (k) out.push({ exact: w, key: k, at: m.index, end: m.index + m[0].length });
    }
    return out;
  }
  window.loaSearchFold = { fold: fold, tokens: tokens }; // for the tests

  var base = new URL(root.getAttribute("data-index"), location.href);
  var files = {};
  function get(name, json) {
    var u = new URL(name, base).href;
    if (!files[u]) {
      files[u] = fetch(u).then(function (r) {
        if (!r.ok) throw new Error(u + ": " + r.status);
        return json ? r.json() : r.text();
      });
      files[u].catch(function () { delete files[u]; });
    }
    return files[u];
  }
  var manifest = get(base.href, true);

  var DIGIT = {};
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(function (c, i) { DIGIT[c] = i; });

  // postings decodes a run of base-64 VLQ numbers into [page, weight] pairs.
  function postings(s) {
    var out = [], n = 0, shift = 0, nums = [], prev = -1;
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s[i]];
      n += (d & 31) << shift;
      if (d & 32) { shift += 5; continue; }
      nums.push(n); n = 0; shift = 0;
      if (nums.length === 2) { prev += nums[0] + 1; out.push(prev, nums[1] + 1); nums.length = 0; }
    }
    return out;
  }

  // entry finds key in its shard: null, or its spellings with their postings.
  function entry(m, key) {
    var t = m.t, lo = 0, hi = t.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (t[mid][0] <= key) lo = mid; else hi = mid - 1;
    }
    return get("t." + t[lo][1] + ".txt").then(function (text) {
      var at = text.startsWith(key + "\t") ? 0 : text.indexOf("\n" + key + "\t") + 1;
      if (at === 0 && !text.startsWith(key + "\t")) return null;
      var end = text.indexOf("\n", at), parts = text.slice(at, end < 0 ? undefined : end).split("\t"), vars = [];
      for (var i = 1; i + 1 < parts.length; i += 2) vars.push({ exact: parts[i] || key, ps: postings(parts[i + 1]) });
      return vars;
    });
  }

  function idf(n, df) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); }
  function sat(w) { return w * 2.2 / (w + 1.2); }

  // rank scores every page holding all the words of the query.
  function rank(m, words, ents, pairs) {
    // Pages that hold more of the query's words spelt exactly as typed (with
    // their marks) come first; the score orders pages within each tier.
    var n = m.n, need = words.length, score = new Float64Array(n), count = new Uint8Array(n), tier = new Uint8Array(n);
    var w = new Float64Array(n), exact = new Uint8Array(n);
    words.forEach(function (tok, i) {
      var vars = ents[i], df = 0, marked = tok.exact !== tok.key;
      w.fill(0); exact.fill(0);
      vars.forEach(function (v) {
        var ex = marked && v.exact === tok.exact;
        for (var j = 0; j < v.ps.length; j += 2) {
          var d = v.ps[j];
          if (!w[d]) df++;
          w[d] += v.ps[j + 1];
          if (ex) exact[d] = 1;
        }
      });
      var f = idf(n, df);
      vars.forEach(function (v) {
        for (var j = 0; j < v.ps.length; j += 2) {
          var d = v.ps[j];
          if (!w[d]) continue;
          count[d]++;
          tier[d] += exact[d];
          score[d] += f * sat(w[d]);
          w[d] = 0;
        }
      });
    });
    pairs.forEach(function (vars) {
      if (!vars) return;
      var ps = vars[0].ps, f = idf(n, ps.length / 2);
      for (var j = 0; j < ps.length; j += 2) score[ps[j]] += 1.5 * f * sat(ps[j + 1]);
    });
    var hits = [];
    for (var d = 0; d < n; d++) if (count[d] === need) hits.push(d);
    hits.sort(function (a, b) { return tier[b] - tier[a] || score[b] - score[a] || b - a; });
    return hits;
  }

  // filter keeps the pages of the chosen section, kind and year.
  function filter(m, hits, f) {
    if (f.nam) {
      var y = +f.nam, from = -1, to = m.n;
      m.y.forEach(function (e, i) { if (e[0] === y) { from = e[1]; if (m.y[i + 1]) to = m.y[i + 1][1]; } });
      hits = hits.filter(function (d) { return d >= from && d < to && from >= 0; });
    }
    if (!f.muc && !f.loai) return Promise.resolve(hits);
    return get("c." + m.c + ".txt").then(function (c) {
      return hits.filter(function (d) {
        var i = m.cw === 2 ? DIGIT[c[2 * d]] * 64 + DIGIT[c[2 * d + 1]] : DIGIT[c[d]], cs = m.cs[i];
        return (!f.muc || cs[0] === f.muc) && (!f.loai || cs[1] === f.loai);
      });
    });
  }

  function fragment(m, d) {
    return get("p" + (d % 128) + "." + m.d[Math.floor(d / 128)] + ".json", true);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // marked writes text into parent with every word of keys in <mark>.
  function marked(parent, text, keys) {
    var at = 0;
    tokens(text).forEach(function (t) {
      if (!keys[t.key]) return;
      parent.appendChild(document.createTextNode(text.slice(at, t.at)));
      parent.appendChild(el("mark", null, text.slice(t.at, t.end)));
      at = t.end;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  // snippet cuts the 30 words of text that hold the most words of the query.
  function snippet(text, keys) {
    var ts = tokens(text), best = -1, bestN = 0, SPAN = 30;
    for (var i = 0; i < ts.length; i++) {
      if (!keys[ts[i].key]) continue;
      var seen = {}, k = 0;
      for (var j = i; j < ts.length && j < i + SPAN; j++) if (keys[ts[j].key] && !seen[ts[j].key]) { seen[ts[j].key] = 1; k++; }
      if (k > bestN) { bestN = k; best = i; }
    }
    if (best < 0) return null;
    var from = Math.max(0, best - 6), to = Math.min(ts.length - 1, from + SPAN);
    return (from > 0 ? "… " : "") + text.slice(ts[from].at, ts[to].end) + (to < ts.length - 1 ? " …" : "");
  }

  function date(s) { var p = s.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }

  function item(f, keys) {
    var li = el("li"), h = el("h2"), a = el("a");
    a.href = f.u;
    h.appendChild(marked(a, f.t, keys));
    li.appendChild(h);
    var meta = [f.k || f.s, f.n, f.d && date(f.d)].filter(Boolean);
    if (meta.length) {
      var p = el("p", "meta");
      meta.forEach(function (x, i) {
        if (i) p.appendChild(document.createTextNode(" · "));
        if (x === meta[meta.length - 1] && f.d) { var t = el("time", null, x); t.dateTime = f.d; p.appendChild(t); }
        else p.appendChild(document.createTextNode(x));
      });
      li.appendChild(p);
    }
    var s = snippet(f.x || "", keys) || snippet(f.m || "", keys) || f.m || (f.x || "").slice(0, 200);
    if (s) li.appendChild(marked(el("p", "snippet"), s, keys));
    return li;
  }

  var form = root.querySelector("form"), status = root.querySelector("[role=status]");
  var list = root.querySelector("[data-results]"), more = root.querySelector("[data-more]");
  var run = 0;

  function params() {
    var p = new URLSearchParams(location.search), f = {};
    ["q", "muc", "loai", "nam"].forEach(function (k) {
      f[k] = (p.get(k) || "").trim();
      var input = form.elements[k];
      if (input) input.value = f[k];
    });
    return f;
  }

  function say(nodes) {
    status.textContent = "";
    nodes.forEach(function (x) { status.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
  }

  function link(href, text) { var a = el("a", null, text); a.href = href; return a; }

  function search(f) {
    // Timings for the benchmark: data-ms from the query to the results
    // shown, data-ms-after from the arrival of the shards.
    var me = ++run, t0 = performance.now(), t1 = 0, cpu = 0;
    list.textContent = "";
    more.hidden = true;
    root.setAttribute("data-state", "busy");
    var words = [], seen = {}, keys = {}, all = tokens(f.q);
    all.forEach(function (t) { keys[t.key] = 1; if (!seen[t.key]) { seen[t.key] = 1; words.push(t); } });
    if (!words.length) {
      say(["Nhập từ cần tìm, có dấu hoặc không dấu."]);
      root.setAttribute("data-state", "done");
      return Promise.resolve();
    }
    say(["Đang tìm…"]);
    var pairs = [];
    for (var i = 1; i < all.length; i++) if (all[i - 1].key !== all[i].key) pairs.push(all[i - 1].key + " " + all[i].key);
    return manifest.then(function (m) {
      return Promise.all([
        Promise.all(words.map(function (t) { return entry(m, t.key); })),
        Promise.all(pairs.map(function (k) { return entry(m, k); })),
      ]).then(function (r) {
        t1 = performance.now();
        var hits = r[0].indexOf(null) >= 0 ? [] : rank(m, words, r[0], r[1]);
        cpu += performance.now() - t1;
        return filter(m, hits, f);
      }).then(function (hits) {
        if (me !== run) return;
        if (!hits.length) {
          root.setAttribute("data-count", 0);
          root.setAttribute("data-ms", Math.round(performance.now() - t0));
          root.setAttribute("data-ms-after", Math.round(performance.now() - t1));
          root.setAttribute("data-ms-cpu", Math.round(cpu));
          say(["Không tìm thấy trang nào có “" + f.q + "”. Thử bỏ dấu, dùng ít từ hơn, hoặc xem ",
            link("/van-ban/", "Văn bản"), " / ", link("/ke-hoach/", "Kế hoạch"), " / ", link("/thong-bao/", "Thông báo"), "."]);
          root.setAttribute("data-state", "done");
          return;
        }
        say(["Tìm thấy " + hits.length.toLocaleString("vi-VN") + " trang có “" + f.q + "”."]);
        var shown = 0;
        function page() {
          var ids = hits.slice(shown, shown + PER_PAGE);
          shown += ids.length;
          return Promise.all(ids.map(function (d) { return fragment(m, d); })).then(function (fs) {
            if (me !== run) return;
            var t3 = performance.now();
            fs.forEach(function (fr) { list.appendChild(item(fr, keys)); });
            more.hidden = shown >= hits.length;
            cpu += performance.now() - t3;
          });
        }
        more.onclick = function () {
          var next = list.children.length;
          page().then(function () { var a = list.children[next] && list.children[next].querySelector("a"); if (a) a.focus(); });
        };
        return page().then(function () {
          root.setAttribute("data-ms", Math.round(performance.now() - t0));
          root.setAttribute("data-ms-after", Math.round(performance.now() - t1));
          root.setAttribute("data-ms-cpu", Math.round(cpu));
          root.setAttribute("data-count", hits.length);
          root.setAttribute("data-state", "done");
        });
      });
    }).catch(function () {
      if (me !== run) return;
      say(["Chưa tải được dữ liệu tìm kiếm. Hãy kiểm tra mạng rồi bấm Tìm lại."]);
      root.setAttribute("data-state", "error");
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var p = new URLSearchParams();
    ["q", "muc", "loai", "nam"].forEach(function (k) {
      var v = (form.elements[k] && form.elements[k].value || "").trim();
      if (v) p.set(k, v);
    });
    history.pushState(null, "", "?" + p.toString());
    search(params());
  });
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
    s.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); });
  });
  window.addEventListener("popstate", function () { search(params()); });
  root.classList.add("search-ready");
  search(params());
})();
