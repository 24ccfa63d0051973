// The results page of the site's search (/tim-kiem/?q=…). The index is a set
// of static files built with the site (package build/search): a manifest,
// shards of the sorted key list, and a fragment per page, shards and
// fragments gzipped, the fragments of 128 pages in one file. A query
// fetches the manifest, the shards of its words and (each by an HTTP
// range) the fragments of the results it shows; nothing else, and nothing
// outside the site.
//
// Words are folded as the index folds them: NFD, marks dropped, đ → d,
// lowercase; "dang ky", "Đăng ký" and "ĐĂNG KÝ" meet. A query typed with
// marks ranks its exact spelling first; syllables side by side in the
// query rank pages that have them side by side first. The last word of a
// query is also taken as the start of a word, so that results come as one
// types: "dang k" finds "đăng ký".
(function () {
  "use strict";
  var root = document.querySelector("[data-search]");
  if (!root) return;
  var status = root.querySelector("[role=status]");
  var WORD, MARK, DIGITS = /^[0-9]+$/;
  try {
    WORD = new RegExp("[\\p{L}\\p{M}\\p{N}]+", "gu");
    MARK = new RegExp("\\p{Mn}", "gu");
  } catch (e) { /* no Unicode classes in this browser's expressions */ }
  if (!WORD || !window.fetch || !"".normalize || !window.DecompressionStream || !window.TextDecoder || !window.TextEncoder) {
    // An older browser: what the page says without JavaScript.
    var nojs = root.querySelector("noscript");
    if (nojs) nojs.insertAdjacentHTML("afterend", nojs.textContent.replace("Tìm kiếm cần JavaScript, mà trình duyệt của bạn đang tắt nó.", "Trình duyệt này quá cũ để tìm trên trang."));
    return;
  }

  var PER_PAGE = 10;
  // As build/search/shards.go writes them.
  var PAIR = "+", COMPLETION = "~", MAX_PREFIX_SHARDS = 2, MAX_TOKEN = 40;

  function fold(s) {
    return s.normalize("NFD").replace(/[đĐ]/g, "d").replace(MARK, "").toLowerCase();
  }
  var folded = new Map(); // a word as written → [exact, key], or null
  var utf8 = new TextEncoder();
  function word(raw) {
    var r = folded.get(raw);
    if (r !== undefined) return r;
    var w = raw.normalize("NFC").toLowerCase();
    r = null;
    // At most 40 bytes of UTF-8, as the index counts; a word of 13 UTF-16
    // units or fewer is never longer.
    if (w.length <= 13 || utf8.encode(w).length <= MAX_TOKEN) {
      if (DIGITS.test(w)) w = w.replace(/^0+(?=.)/, "");
      var k = fold(w);
      if (k) r = [w, k];
    }
    if (folded.size > 20000) folded.clear();
    folded.set(raw, r);
    return r;
  }
  // tokens: the words of s with their place, as the index splits them.
  function tokens(s) {
    var out = [], m, r;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(s))) {
      if ((r = word(m[0]))) out.push({ exact: r[0], key: r[1], at: m.index, end: m.index + m[0].length });
    }
    return out;
  }
  window.loaSearchFold = { fold: fold, tokens: tokens }; // for the tests

  var base = new URL(root.getAttribute("data-index"), location.href).href;
  var dir = base.replace(/[^/]*$/, ""); // the index's folder
  var files = {};
  var decoder = new TextDecoder();
  // text is a file's text; a gzip file (any but the manifest) is inflated,
  // unless the server has done it already. A response without a
  // Content-Encoding holds the file's bytes as they are: those of a gzip
  // file are inflated as they arrive. Only when the server declares an
  // encoding (and the browser has undone it, maybe the file's own) are the
  // bytes read first and looked at.
  function text(r, gz) {
    if (gz && r.body && !r.headers.get("Content-Encoding")) {
      return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).text();
    }
    return r.arrayBuffer().then(function (buf) {
      var b = new Uint8Array(buf);
      if (b[0] !== 0x1f || b[1] !== 0x8b) return decoder.decode(b);
      return new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
    });
  }
  function get(name, json) {
    var u = name === base ? name : dir + name;
    if (!files[u]) {
      files[u] = fetch(u).then(function (r) {
        if (!r.ok) throw new Error(u + ": " + r.status);
        return text(r, /\.gz$/.test(u));
      }).then(function (t) { return json ? JSON.parse(t) : t; });
      files[u].catch(function () { delete files[u]; });
    }
    return files[u];
  }
  var manifest = get(base, true);

  var DIGIT = new Int8Array(128);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(function (c, i) { DIGIT[c.charCodeAt(0)] = i; });

  // postings decodes a run of base-64 VLQ numbers into PAGE and WEIGHT
  // (shared, grown as needed) and returns how many there are: each number
  // is the gap from the page before times 4 plus the weight less one, or
  // plus 3 and the weight less 4 as a second number.
  var PAGE = new Int32Array(1024), WEIGHT = new Int32Array(1024);
  function postings(s) {
    var k = 0, n = 0, shift = 0, prev = -1, big = false;
    if (PAGE.length < s.length) { PAGE = new Int32Array(s.length); WEIGHT = new Int32Array(s.length); }
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s.charCodeAt(i)];
      n += (d & 31) << shift;
      if (d & 32) { shift += 5; continue; }
      if (big) { WEIGHT[k++] = n + 4; big = false; }
      else {
        prev += (n >> 2) + 1;
        PAGE[k] = prev;
        if ((n & 3) === 3) big = true; else WEIGHT[k++] = (n & 3) + 1;
      }
      n = 0; shift = 0;
    }
    return k;
  }

  // shardOf is the shard whose keys include key: the last that starts at
  // or before it.
  function shardOf(m, key) {
    var t = m.t, lo = 0, hi = t.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (t[mid][0] <= key) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function shard(m, i) { return get("t." + m.t[i][1] + ".gz"); }

  // line finds key's line in a shard's text: its parts, split at tabs.
  function line(text, key) {
    var at = text.startsWith(key + "\t") ? 0 : text.indexOf("\n" + key + "\t") + 1;
    if (at === 0 && !text.startsWith(key + "\t")) return null;
    var end = text.indexOf("\n", at);
    return text.slice(at, end < 0 ? undefined : end).split("\t");
  }
  function spellings(parts) {
    var vars = [];
    for (var i = 1; i + 1 < parts.length; i += 2) vars.push({ exact: parts[i] || parts[0], ps: parts[i + 1] });
    return vars;
  }

  // entry finds key: null, or its spellings with their postings.
  function entry(m, key) {
    return shard(m, shardOf(m, key)).then(function (text) {
      var parts = line(text, key);
      return parts && spellings(parts);
    });
  }

  // completed finds the keys that start with p, each with its spellings:
  // from the one or two shards that hold them all, or from the completion
  // line that lists the most common of them.
  function completed(m, p) {
    var from = shardOf(m, p), to = shardOf(m, p + "\uffff"), wanted = [];
    if (to - from + 1 > MAX_PREFIX_SHARDS) {
      return shard(m, shardOf(m, p + COMPLETION)).then(function (text) {
        var keys = (line(text, p + COMPLETION) || []).slice(1);
        return Promise.all(keys.map(function (k) {
          return entry(m, k).then(function (vars) { return { key: k, vars: vars || [] }; });
        }));
      });
    }
    for (var i = from; i <= to; i++) wanted.push(shard(m, i));
    return Promise.all(wanted).then(function (texts) {
      var out = [];
      texts.forEach(function (text) {
        var at = text.startsWith(p) ? 0 : next(text, 0);
        while (at >= 0) {
          var end = text.indexOf("\n", at), parts = text.slice(at, end < 0 ? undefined : end).split("\t");
          if (parts[0].indexOf(COMPLETION) < 0) out.push({ key: parts[0], vars: spellings(parts) });
          at = end < 0 ? -1 : next(text, end);
        }
      });
      return out;
    });
    // next is where the next line that starts with p starts, or -1.
    function next(text, from) {
      var i = text.indexOf("\n" + p, from);
      return i < 0 ? -1 : i + 1;
    }
  }

  function idf(n, df) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); }

  // decoded gives a spelling its postings as two arrays (pages, weights),
  // decoded once however many times a query uses them.
  function decoded(sp) {
    if (!sp.pages) {
      var k = postings(sp.ps);
      sp.pages = PAGE.slice(0, k);
      sp.weights = WEIGHT.slice(0, k);
    }
    return sp;
  }

  // ranking scores every page holding all the words of the query, the
  // keys of each word as their shards come (ranking what has come
  // overlaps the wait for the rest), and orders them once all are in.
  // Each word's and each pair's part of the score is kept apart and added
  // in the query's order at the end, so that the order the shards come in
  // changes no score. Plain loops over typed arrays: the first query runs
  // before the browser has compiled any of it, and a call per posting
  // costs then.
  function ranking(n, need) {
    // Pages that match more words whole, then more words spelt exactly
    // as typed (with their marks), come first; the score orders pages
    // within each tier.
    var count = new Uint8Array(n), tier = new Uint8Array(n), whole = new Uint8Array(n);
    var parts = []; // by place in the query: [pages, scores]
    var acc = []; // by word, while its keys come: what its pages have
    return {
      // add adds to word tok, the i-th of the query, some of its keys
      // (its own, those a prefix starts, or pairs that end in it), each
      // with its spellings.
      add: function (i, tok, ents) {
        var a = acc[i] || (acc[i] = { w: new Float64Array(n), ex: new Uint8Array(n), wh: new Uint8Array(n), seen: new Int32Array(n), ns: 0 });
        var w = a.w, ex = a.ex, wh = a.wh, seen = a.seen, ns = a.ns;
        var marked = tok.exact !== tok.key, j, k, d;
        for (var c = 0; c < ents.length; c++) {
          var e = ents[c], isKey = e.key === tok.key ? 1 : 0, isWhole = isKey || e.pair;
          for (var v = 0; v < e.vars.length; v++) {
            var sp = decoded(e.vars[v]), pages = sp.pages, weights = sp.weights;
            var ok = marked && (sp.exact === tok.exact || !isWhole && sp.exact.startsWith(tok.exact)) ? 1 : 0;
            for (j = 0, k = pages.length; j < k; j++) {
              d = pages[j];
              if (w[d] === 0) seen[ns++] = d;
              w[d] += weights[j];
              ex[d] |= ok;
              wh[d] |= isKey;
            }
          }
        }
        a.ns = ns;
      },
      // end closes the i-th word, all its keys in.
      end: function (i) {
        var a = acc[i], ns = a.ns, w = a.w, ex = a.ex, wh = a.wh, j, d, x;
        var f = idf(n, ns), pages = a.seen.slice(0, ns), sc = new Float64Array(ns);
        for (j = 0; j < ns; j++) {
          d = pages[j];
          x = w[d];
          count[d]++; tier[d] += ex[d]; whole[d] += wh[d];
          sc[j] = f * (x * 2.2 / (x + 1.2));
        }
        parts[i] = [[pages, sc]];
        acc[i] = null;
      },
      // pair adds the pairs vars (a pair's spellings) as the i-th part.
      pair: function (i, vars) {
        parts[i] = vars.map(function (v) {
          var sp = decoded(v), k = sp.pages.length, fp = 1.5 * idf(n, k), sc = new Float64Array(k), x;
          for (var j = 0; j < k; j++) { x = sp.weights[j]; sc[j] = fp * (x * 2.2 / (x + 1.2)); }
          return [sp.pages, sc];
        });
      },
      done: function () { return order(n, need, count, tier, whole, parts); },
    };
  }

  // order adds up the parts of the score and picks the pages that hold
  // every word.
  function order(n, need, count, tier, whole, parts) {
    var score = new Float64Array(n), i, j, p;
    for (i = 0; i < parts.length; i++) {
      for (p = 0; p < (parts[i] || []).length; p++) {
        var pages = parts[i][p][0], sc = parts[i][p][1];
        for (j = 0; j < pages.length; j++) score[pages[j]] += sc[j];
      }
    }
    // One number orders the pages: the tiers, then the score; the first
    // PER_PAGE are picked on the way.
    var hits = [], key = score, first = [];
    for (var d = 0; d < n; d++) {
      if (count[d] !== need) continue;
      hits.push(d);
      key[d] = (whole[d] * 64 + tier[d]) * 1e4 + score[d];
      if (first.length === PER_PAGE && !before(key, d, first[PER_PAGE - 1])) continue;
      var i = Math.min(first.length, PER_PAGE - 1);
      while (i > 0 && before(key, d, first[i - 1])) { first[i] = first[i - 1]; i--; }
      first[i] = d;
    }
    return { hits: hits, key: key, first: first };
  }

  // before tells whether page a comes before page b: by key, then the
  // newer first.
  function before(key, a, b) { return key[a] > key[b] || key[a] === key[b] && a > b; }

  // top returns the first k hits in order, without sorting them all: the
  // first results are shown (and their fragments asked for) at once.
  function top(r, k) {
    var best = [];
    r.hits.forEach(function (d) {
      if (best.length === k && !before(r.key, d, best[k - 1])) return;
      var i = best.length === k ? k - 1 : best.length;
      while (i > 0 && before(r.key, d, best[i - 1])) { best[i] = best[i - 1]; i--; }
      best[i] = d;
    });
    return best;
  }

  // ordered sorts the hits, once: for the results after the first.
  function ordered(r) {
    if (!r.sorted) {
      r.hits.sort(function (a, b) { return r.key[b] - r.key[a] || b - a; });
      r.sorted = true;
    }
    return r.hits;
  }

  // filter keeps the pages of the chosen section, kind and year.
  function filter(m, r, f) {
    if (!f.nam && !f.muc && !f.loai) return Promise.resolve(r);
    return keep(m, r.hits, f).then(function (hits) { r.hits = hits; r.first = null; return r; });
  }
  function keep(m, hits, f) {
    if (f.nam) {
      var y = +f.nam, from = -1, to = m.n;
      m.y.forEach(function (e, i) { if (e[0] === y) { from = e[1]; if (m.y[i + 1]) to = m.y[i + 1][1]; } });
      hits = hits.filter(function (d) { return d >= from && d < to && from >= 0; });
    }
    if (!f.muc && !f.loai) return Promise.resolve(hits);
    return get("c." + m.c + ".txt").then(function (c) {
      return hits.filter(function (d) {
        var i = m.cw === 2 ? DIGIT[c.charCodeAt(2 * d)] * 64 + DIGIT[c.charCodeAt(2 * d + 1)] : DIGIT[c.charCodeAt(d)], cs = m.cs[i];
        return (!f.muc || cs[0] === f.muc) && (!f.loai || cs[1] === f.loai);
      });
    });
  }

  // A group's fragments lie one after the other in its file, each a whole
  // gzip file of a multiple of UNIT bytes; the manifest gives their sizes
  // in UNITs, the least and then how much larger each is (fragmentSizes in
  // build/search/index.go). starts are where they start, and the end.
  var UNIT = 64, starts = {};
  function startsOf(g) {
    var s = g[1], at = starts[g[0]];
    if (at) return at;
    var nums = [], n = 0, shift = 0;
    for (var i = 0; i < s.length; i++) {
      var x = DIGIT[s.charCodeAt(i)];
      n += (x & 31) << shift;
      if (x & 32) { shift += 5; continue; }
      nums.push(n);
      n = 0; shift = 0;
    }
    at = [0];
    for (var j = 1; j < nums.length; j++) at.push(at[j - 1] + (nums[0] + nums[j]) * UNIT);
    return (starts[g[0]] = at);
  }
  function fragment(m, d) {
    var g = m.d[Math.floor(d / 128)], i = d % 128, at = startsOf(g);
    var u = dir + "f." + g[0] + ".bin", from = at[i], to = at[i + 1], key = u + "#" + i;
    if (!files[key]) {
      files[key] = fetch(u, { headers: { Range: "bytes=" + from + "-" + (to - 1) } }).then(function (r) {
        if (!r.ok) throw new Error(u + ": " + r.status);
        if (r.status === 206) return text(r, true);
        // A server that answers a range with the whole file: the fragment
        // is cut from it.
        return r.arrayBuffer().then(function (b) { return text(new Response(b.slice(from, to)), true); });
      }).then(JSON.parse);
      files[key].catch(function () { delete files[key]; });
    }
    return files[key];
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // matcher tells the words of a text that the query found, and which
  // word of the query found each: its keys whole, and the words its last
  // word starts. It returns that word's key, or "" for a word not found.
  function matcher(keys, prefix) {
    return function (k) { return keys[k] === 1 ? k : prefix !== "" && k.startsWith(prefix) ? prefix : ""; };
  }

  // marked writes text into parent with every word found in <mark>.
  function marked(parent, text, found) {
    var at = 0;
    tokens(text).forEach(function (t) {
      if (!found(t.key)) return;
      parent.appendChild(document.createTextNode(text.slice(at, t.at)));
      parent.appendChild(el("mark", null, text.slice(t.at, t.end)));
      at = t.end;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  // snippet cuts the 30 words of text that hold the most words of the
  // query, starting a few words before the first. The text is split into
  // words only as far as needed: the first stretch that holds every word
  // of the query (need of them) is the one shown, and what follows it is
  // not read.
  function snippet(text, found, need) {
    var ts = [], hit = [], best = -1, bestN = 0, SPAN = 30, a = 0, m, r, q, cut = false;
    // count is how many different words of the query the stretch of
    // SPAN words from hit[a] holds.
    function count(a) {
      var seen = {}, k = 0;
      for (var j = a; j < hit.length && hit[j] < hit[a] + SPAN; j++) if (!seen[ts[hit[j]].q]) { seen[ts[hit[j]].q] = 1; k++; }
      return k;
    }
    function take(a) { var k = count(a); if (k > bestN) { bestN = k; best = hit[a]; } }
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (!(r = word(m[0]))) continue;
      if ((q = found(r[1]))) hit.push(ts.length);
      ts.push({ at: m.index, end: m.index + m[0].length, q: q });
      for (; a < hit.length && hit[a] + SPAN <= ts.length; a++) take(a);
      // Enough words read to cut the stretch found.
      if (bestN >= need && ts.length > Math.max(0, best - 6) + SPAN) { cut = true; break; }
    }
    for (; a < hit.length; a++) take(a);
    if (best < 0) return null;
    var from = Math.max(0, best - 6), to = Math.min(ts.length - 1, from + SPAN);
    return (from > 0 ? "… " : "") + text.slice(ts[from].at, ts[to].end) + (to < ts.length - 1 || cut ? " …" : "");
  }

  function date(s) { var p = s.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  // thousands writes n as Vietnamese does, 1.234 (without Intl, whose
  // first use takes long on a slow phone).
  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+$)/g, "."); }

  function item(f, found, need) {
    var li = el("li"), h = el("h2"), a = el("a");
    a.href = f.u;
    h.appendChild(marked(a, f.t, found));
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
    var s = snippet(f.x || "", found, need) || snippet(f.m || "", found, need) || f.m || (f.x || "").slice(0, 200);
    if (s) li.appendChild(marked(el("p", "snippet"), s, found));
    return li;
  }

  var form = root.querySelector("form");
  var list = root.querySelector("[data-results]"), more = root.querySelector("[data-more]");
  var run = 0;

  function params() {
    var p = new URLSearchParams(location.search), f = {};
    ["q", "muc", "loai", "nam"].forEach(function (k) {
      f[k] = (p.get(k) || "").trim();
      var input = form.elements[k];
      if (input && input.value.trim() !== f[k]) input.value = f[k];
    });
    // The last word is taken as begun unless a space follows it.
    f.begun = !/\s$/.test(p.get("q") || "");
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
    root.setAttribute("data-state", "busy");
    var words = [], seen = {}, keys = {}, all = tokens(f.q), prefix = "";
    all.forEach(function (t) { keys[t.key] = 1; if (!seen[t.key]) { seen[t.key] = 1; words.push({ exact: t.exact, key: t.key }); } });
    if (!words.length) {
      list.textContent = "";
      more.hidden = true;
      say(["Nhập từ cần tìm, có dấu hoặc không dấu."]);
      root.setAttribute("data-state", "done");
      return Promise.resolve();
    }
    var last = all[all.length - 1];
    // The last word, if begun: unless the query has it whole before.
    if (f.begun && all.findIndex(function (t) { return t.key === last.key; }) === all.length - 1) {
      prefix = last.key;
      words[words.length - 1].prefix = true;
    }
    var found = matcher(keys, prefix), need = Object.keys(keys).length;
    var pairs = [];
    for (var i = 1; i < all.length; i++) if (all[i - 1].key !== all[i].key) pairs.push(PAIR + all[i - 1].key + " " + all[i].key);
    var lastPair = prefix && pairs.length && pairs[pairs.length - 1].endsWith(" " + prefix) ? pairs.pop() : "";
    if (f.muc || f.loai) manifest.then(function (m) { get("c." + m.c + ".txt"); });
    return manifest.then(function (m) {
      // Each word, and each pair, is ranked as soon as its shard is in;
      // t1 is when the last came.
      var rk = ranking(m.n, words.length), none = false, took = 0;
      function came(rank) {
        return function (x) {
          t1 = performance.now();
          if (me === run && !none) rank(x);
          took = performance.now() - t1;
        };
      }
      var begun = lastPair ? completed(m, lastPair) : Promise.resolve([]);
      var last = words.length - 1, lastKeys = 0; // the last word's keys: its own, then the pairs it ends
      function endLast() { if (++lastKeys === 2 && !none) rk.end(last); }
      return Promise.all(words.map(function (t, i) {
        if (t.prefix) {
          return completed(m, t.key).then(came(function (ents) {
            rk.add(i, t, ents);
            endLast();
          }));
        }
        return entry(m, t.key).then(came(function (vars) {
          if (!vars) { none = true; return; }
          rk.add(i, t, [{ key: t.key, vars: vars }]);
          rk.end(i);
        }));
      }).concat(pairs.map(function (k, i) {
        return entry(m, k).then(came(function (vars) { if (vars) rk.pair(words.length + i, vars); }));
      }), [begun.then(came(function (cs) {
        rk.pair(words.length + pairs.length, [].concat.apply([], cs.map(function (c) { return c.vars; })));
        if (prefix) {
          // Pages that have the word before and a word begun so after it
          // have the begun word, whether or not it is among the most
          // common the completions list.
          rk.add(last, words[last], cs.map(function (c) { return { key: c.key, vars: c.vars, pair: true }; }));
          endLast();
        }
      }))])).then(function () {
        // t1 is when the last shard came: what it took to rank its word
        // is counted after it; what the others took, while it was on its
        // way, is not.
        var t = performance.now();
        var res = none ? { hits: [] } : rk.done();
        cpu += took + performance.now() - t;
        return filter(m, res, f);
      }).then(function (res) {
        if (me !== run) return;
        var hits = res.hits, shown = 0;
        // page shows the next results: each as soon as its fragment and
        // those of the results above it have come, so that the first are
        // written while the last are still on their way. With focus, the
        // first of them takes the focus as it is written ("Xem thêm" from
        // the keyboard goes on where the new results start).
        function page(focus) {
          var t2 = performance.now();
          var ids = shown ? ordered(res).slice(shown, shown + PER_PAGE) : res.first || top(res, PER_PAGE);
          shown += ids.length;
          var got = new Array(ids.length), next = 0;
          var asked = ids.map(function (d, i) {
            return fragment(m, d).then(function (fr) {
              if (me !== run) return;
              var t3 = performance.now();
              got[i] = fr;
              for (; next < ids.length && got[next]; next++) {
                var li = list.appendChild(item(got[next], found, need)), a;
                if (focus && next === 0 && (a = li.querySelector("a"))) a.focus();
              }
              cpu += performance.now() - t3;
            });
          });
          cpu += performance.now() - t2;
          return Promise.all(asked).then(function () {
            if (me === run) more.hidden = shown >= hits.length;
          });
        }
        // The first results' fragments are asked for before anything
        // else is done.
        var first = hits.length ? page() : null;
        list.textContent = "";
        more.hidden = true;
        if (!first) {
          root.setAttribute("data-count", 0);
          root.setAttribute("data-ms", Math.round(performance.now() - t0));
          root.setAttribute("data-ms-after", Math.round(performance.now() - t1));
          root.setAttribute("data-ms-cpu", Math.round(cpu));
          say(["Không tìm thấy trang nào có “" + f.q + "”. Thử bỏ dấu, dùng ít từ hơn, hoặc xem ",
            link("/van-ban/", "Văn bản"), " / ", link("/ke-hoach/", "Kế hoạch"), " / ", link("/thong-bao/", "Thông báo"), "."]);
          root.setAttribute("data-state", "done");
          return;
        }
        say(["Tìm thấy " + thousands(hits.length) + " trang có “" + f.q + "”."]);
        more.onclick = function () { page(true); };
        return first.then(function () {
          if (me !== run) return;
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

  // query puts the form's choices in the address (a new entry for a
  // search asked for, the same entry while one types) and searches.
  function query(replace) {
    var p = new URLSearchParams();
    ["q", "muc", "loai", "nam"].forEach(function (k) {
      var v = form.elements[k] && form.elements[k].value || "";
      if (k !== "q") v = v.trim();
      else v = v.replace(/^\s+/, "");
      if (v) p.set(k, v);
    });
    history[replace ? "replaceState" : "pushState"](null, "", "?" + p.toString());
    return search(params());
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(typing);
    query(false);
  });
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
    s.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); });
  });
  // Results as one types, once the typing pauses.
  var typing = 0;
  form.elements.q.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { query(true); }, 150);
  });
  window.addEventListener("popstate", function () { search(params()); });
  root.classList.add("search-ready");
  search(params());
})();
