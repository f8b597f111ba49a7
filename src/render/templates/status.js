// mirrorc status page: a text filter (also from the URL: #q=TEXT or ?q=TEXT; `state:failed`
// matches a state exactly) and sortable columns. The page is complete without this script.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var shown = document.getElementById("shown");
  var controls = document.getElementById("controls");
  var rows = null; // every filterable row, collected at the first filter (large pages load faster)
  var sites = Array.prototype.slice.call(document.querySelectorAll("details.site"));
  var texts = null;
  sites.forEach(function (d) { d.setAttribute("data-open", d.open ? "1" : "0"); });

  function allRows() {
    if (rows === null) {
      rows = Array.prototype.slice.call(document.querySelectorAll("table.filterable > tbody > tr"));
    }
    return rows;
  }

  function rowText(i) {
    if (texts === null) {
      texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    }
    return texts[i];
  }

  function matches(i, terms) {
    return terms.every(function (t) {
      if (t.indexOf("state:") === 0) {
        return rows[i].getAttribute("data-state") === t.slice(6);
      }
      return rowText(i).indexOf(t) !== -1;
    });
  }

  var filtered = false;
  function apply(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length === 0 && !filtered) { return; }
    filtered = terms.length > 0;
    var n = 0;
    allRows().forEach(function (r, i) {
      var hit = terms.length === 0 || matches(i, terms);
      r.hidden = !hit;
      if (hit) { n += 1; }
    });
    sites.forEach(function (d) {
      var any = d.querySelector("tbody > tr:not([hidden])") !== null;
      d.hidden = terms.length > 0 && !any;
      d.open = terms.length > 0 ? any : d.getAttribute("data-open") === "1";
    });
    shown.textContent = terms.length ? n + " of " + rows.length + " rows match" : "";
  }

  function fromUrl() {
    var q = new URLSearchParams(location.hash.slice(1)).get("q");
    if (q === null) { q = new URLSearchParams(location.search).get("q"); }
    return q || "";
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      apply(input.value);
      try { history.replaceState(null, "", input.value ? "#q=" + encodeURIComponent(input.value) : "#"); } catch (e) { /* file:// in some browsers */ }
    }, 150);
  });
  window.addEventListener("hashchange", function () { input.value = fromUrl(); apply(input.value); });

  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-sort");
    return v === null ? cell.textContent.trim().toLowerCase() : v;
  }

  function sortBy(table, th, col) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var items = Array.prototype.map.call(body.rows, function (r, i) { return { r: r, k: key(r, col), i: i }; });
    items.sort(function (a, b) {
      var x = a.k, y = b.k, nx = Number(x), ny = Number(y), c;
      if (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) { c = nx - ny; } else { c = x < y ? -1 : x > y ? 1 : 0; }
      return (asc ? c : -c) || a.i - b.i;
    });
    items.forEach(function (it) { body.appendChild(it.r); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = th.textContent;
      b.title = "Sort by " + th.textContent;
      b.addEventListener("click", function () { sortBy(table, th, col); });
      th.textContent = "";
      th.appendChild(b);
    });
  });

  // A link to a site's section opens it (it may start collapsed).
  Array.prototype.forEach.call(document.querySelectorAll("a.site-link"), function (a) {
    a.addEventListener("click", function () {
      var d = document.getElementById(a.getAttribute("href").slice(1));
      if (d) { d.open = true; }
    });
  });

  window.addEventListener("beforeprint", function () { sites.forEach(function (d) { d.open = true; }); });
  controls.hidden = false;
  input.value = fromUrl();
  apply(input.value);
}());
