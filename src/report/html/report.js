// wirecopy HTML report: renders the passage list from the JSON data block, a page at a
// time, and the side-by-side article viewer. Text only ever goes in through textContent.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var docs = D.docs, P = D.passages;
  var $ = function (id) { return document.getElementById(id); };
  var list = $('list'), moreBtn = $('more'), count = $('count');
  var fOutlet = $('f-outlet'), fKind = $('f-kind'), fWords = $('f-words'), fSort = $('f-sort'), fQ = $('f-q');
  var viewer = $('viewer'), pa = $('pa'), pb = $('pb'), vTitle = $('v-title'), vSync = $('v-sync');
  var OPS = ['equal', 'replace', 'insert', 'delete'];
  var byId = {};
  P.forEach(function (p, i) { byId[p.id] = i; });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  // The text a side's offsets index: the document's, or the side's own when the report
  // came without full texts.
  function full(s) { return s.t != null ? s.t : docs[s.d].text; }
  function sideText(s) { return full(s).slice(s.s, s.e); }
  function badge(kind) { return el('span', 'badge k-' + kind, kind); }
  function snippet(s, n) {
    var cps = Array.from(s.replace(/\s+/g, ' '));
    return cps.length > n ? cps.slice(0, n).join('') + '…' : cps.join('');
  }
  function arrow(p) { return p.directed ? ' → ' : ' ⇄ '; }

  D.outlets.forEach(function (o) {
    var opt = el('option', null, o);
    opt.value = o;
    fOutlet.appendChild(opt);
  });

  // ---- the list ---------------------------------------------------------------------
  var state = { list: [], shown: 0 };

  function apply() {
    var o = fOutlet.value, k = fKind.value, mw = +fWords.value || 0;
    var q = fQ.value.trim().toLowerCase(), sort = fSort.value, L = [];
    for (var i = 0; i < P.length; i++) {
      var p = P[i];
      if (k === 'reuse' ? p.kind === 'boilerplate' : (k !== 'all' && p.kind !== k)) continue;
      if (p.words < mw) continue;
      if (o && docs[p.a.d].outlet !== o && docs[p.b.d].outlet !== o) continue;
      if (q && sideText(p.a).toLowerCase().indexOf(q) < 0 &&
          sideText(p.b).toLowerCase().indexOf(q) < 0) continue;
      L.push(i);
    }
    if (sort === 'words') L.sort(function (x, y) { return P[y].words - P[x].words || x - y; });
    else if (sort === 'sim') L.sort(function (x, y) { return P[x].sim - P[y].sim || x - y; });
    state.list = L;
    state.shown = 0;
    list.textContent = '';
    count.textContent = L.length + ' of ' + P.length + ' passages';
    more();
  }

  function item(i) {
    var p = P[i], li = el('li', 'passage'), b = el('button', 'open'), m = el('span', 'pmeta');
    li.setAttribute('data-id', p.id);
    b.type = 'button';
    m.appendChild(badge(p.kind));
    m.appendChild(el('span', 'sim', Math.round(p.sim * 100) + '% similar'));
    m.appendChild(el('span', 'words', p.words + ' identical words'));
    var pair = el('span', 'pair', docs[p.a.d].outlet + arrow(p) + docs[p.b.d].outlet);
    pair.title = docs[p.a.d].id + arrow(p) + docs[p.b.d].id;
    m.appendChild(pair);
    b.appendChild(m);
    b.appendChild(el('span', 'snip', snippet(sideText(p.b), 260)));
    b.addEventListener('click', function () { open(i); });
    li.appendChild(b);
    return li;
  }

  function more() {
    var L = state.list, end = Math.min(L.length, state.shown + D.page);
    var frag = document.createDocumentFragment();
    for (var i = state.shown; i < end; i++) frag.appendChild(item(L[i]));
    list.appendChild(frag);
    state.shown = end;
    moreBtn.hidden = end >= L.length;
    moreBtn.textContent = 'Show more (' + (L.length - end) + ' left)';
  }

  var timer = 0;
  function later() { clearTimeout(timer); timer = setTimeout(apply, 150); }
  [fOutlet, fKind, fSort].forEach(function (e) { e.addEventListener('change', apply); });
  fWords.addEventListener('input', later);
  fQ.addEventListener('input', later);
  $('controls').addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  moreBtn.addEventListener('click', more);

  // ---- the viewer -------------------------------------------------------------------
  var cur = -1, docPassages = null;

  function passagesOf(d) {
    if (!docPassages) {
      docPassages = {};
      P.forEach(function (p, i) {
        [p.a.d, p.b.d].forEach(function (x) { (docPassages[x] = docPassages[x] || []).push(i); });
      });
    }
    return docPassages[d] || [];
  }

  // Split `text` at every interval boundary; each piece gets the classes covering it.
  function paint(div, text, iv) {
    var pts = [0, text.length];
    iv.forEach(function (v) { pts.push(v[0], v[1]); });
    pts.sort(function (x, y) { return x - y; });
    var anchor = null;
    for (var k = 0; k + 1 < pts.length; k++) {
      var a = pts[k], b = pts[k + 1];
      if (a >= b) continue;
      var cls = [];
      iv.forEach(function (v) {
        if (v[0] <= a && v[1] >= b && cls.indexOf(v[2]) < 0) cls.push(v[2]);
      });
      if (cls.indexOf('cur') >= 0) cls = cls.filter(function (c) { return c !== 'reu'; });
      if (!cls.length) { div.appendChild(document.createTextNode(text.slice(a, b))); continue; }
      var sp = el('span', cls.join(' '), text.slice(a, b));
      if (!anchor && cls.indexOf('cur') >= 0) anchor = sp;
      div.appendChild(sp);
    }
    return anchor;
  }

  function pane(box, p, isA) {
    var s = isA ? p.a : p.b, d = docs[s.d], text = full(s), iv = [];
    box.textContent = '';
    box.appendChild(el('h3', null, (isA ? 'A · ' : 'B · ') + d.outlet + ' — ' + d.id +
      (d.date ? ' · ' + d.date : '')));
    if (d.title) box.appendChild(el('p', 'muted', d.title));
    // The report says which urls may be links (http and https only); others stay text.
    if (d.url) {
      var u = el('p', 'muted url');
      if (d.link) {
        var a = el('a', null, d.url);
        a.href = d.url;
        a.rel = 'noopener noreferrer';
        u.appendChild(a);
      } else u.textContent = d.url;
      box.appendChild(u);
    }
    if (s.t != null) {
      box.appendChild(el('p', 'muted', 'The full text is not in this report; the passage alone:'));
    } else {
      passagesOf(s.d).forEach(function (j) {
        var q = P[j];
        if (j === cur || q.kind === 'boilerplate') return;
        if (q.a.d === s.d) iv.push([q.a.s, q.a.e, 'reu']);
        if (q.b.d === s.d) iv.push([q.b.s, q.b.e, 'reu']);
      });
    }
    iv.push([s.s, s.e, 'cur']);
    p.edits.forEach(function (e) {
      var a = isA ? e[1] : e[3], b = isA ? e[2] : e[4], op = OPS[e[0]], c = null;
      if (op === 'replace') c = 'rep';
      else if (op === 'insert' && !isA) c = 'ins';
      else if (op === 'delete' && isA) c = 'del';
      if (c && b > a) iv.push([a, b, c]);
    });
    var div = el('div', 'doc');
    box.anchor = paint(div, text, iv);
    box.appendChild(div);
  }

  function anchorTop(box) { return box.anchor ? box.anchor.offsetTop : 0; }

  // Both columns scrolled so the passage starts at the same height.
  function align() {
    var off = Math.max(48, Math.round(pa.clientHeight * 0.15));
    mute(pa); mute(pb);
    pa.scrollTop = anchorTop(pa) - off;
    pb.scrollTop = anchorTop(pb) - off;
  }
  var muted = new Map();
  function mute(box) { muted.set(box, performance.now() + 100); }
  function follow(src, dst) {
    return function () {
      if (!vSync.checked || (muted.get(src) || 0) > performance.now()) return;
      mute(dst);
      dst.scrollTop = src.scrollTop - anchorTop(src) + anchorTop(dst);
    };
  }
  pa.addEventListener('scroll', follow(pa, pb));
  pb.addEventListener('scroll', follow(pb, pa));

  function setHash(h) {
    try { history.replaceState(null, '', h || location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }

  function open(i) {
    cur = i;
    var p = P[i], a = docs[p.a.d], b = docs[p.b.d];
    vTitle.textContent = '';
    vTitle.appendChild(badge(p.kind));
    vTitle.appendChild(el('span', null, Math.round(p.sim * 100) + '% similar · ' + p.words +
      ' identical words · cluster ' + p.cluster));
    vTitle.appendChild(el('span', 'muted', a.outlet + arrow(p) + b.outlet +
      (p.directed ? ' (A is the source)' : ' (direction unknown)')));
    pane(pa, p, true);
    pane(pb, p, false);
    viewer.hidden = false;
    document.body.classList.add('modal');
    viewer.setAttribute('data-passage', p.id);
    setHash('#p=' + encodeURIComponent(p.id));
    align();
    $('v-close').focus();
  }

  function close() {
    viewer.hidden = true;
    document.body.classList.remove('modal');
    setHash('');
    var li = list.querySelector('li[data-id="' + (cur >= 0 ? P[cur].id : '') + '"] button');
    if (li) li.focus();
  }

  function step(d) {
    var L = state.list, k = L.indexOf(cur);
    if (k < 0) L = P.map(function (_, i) { return i; }), k = cur;
    var n = L[(k + d + L.length) % L.length];
    if (n != null) open(n);
  }

  $('v-close').addEventListener('click', close);
  $('v-prev').addEventListener('click', function () { step(-1); });
  $('v-next').addEventListener('click', function () { step(1); });
  viewer.addEventListener('click', function (e) { if (e.target === viewer) close(); });
  document.addEventListener('keydown', function (e) {
    if (viewer.hidden) return;
    if (e.key === 'Escape') close();
    else if (e.key === 'j' || e.key === 'ArrowRight') step(1);
    else if (e.key === 'k' || e.key === 'ArrowLeft') step(-1);
  });
  window.addEventListener('resize', function () { if (!viewer.hidden) align(); });

  function fromHash() {
    var m = /^#p=(.+)$/.exec(location.hash);
    var i = m ? byId[decodeURIComponent(m[1])] : undefined;
    if (i != null) open(i);
  }
  window.addEventListener('hashchange', fromHash);

  apply();
  fromHash();
  document.documentElement.setAttribute('data-ready', '1');
})();
