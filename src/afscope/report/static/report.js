// afscope report: the transcript browser. Model text is untrusted: it is only ever shown with
// textContent (never innerHTML), and evidence highlights are <mark> elements built with DOM APIs.
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var data = JSON.parse(document.getElementById("afs-data").textContent);
  var samples = data.samples;
  samples.forEach(function (sample, index) { sample.i = index; });
  var matching = samples;
  var page = 0;
  var byId = function (id) { return document.getElementById(id); };
  var controls = {
    run: byId("f-run"), tier: byId("f-tier"), outcome: byId("f-outcome"),
    category: byId("f-category"), kind: byId("f-kind"), decision: byId("f-decision"),
    text: byId("f-text")
  };
  var rows = byId("sample-rows");
  var count = byId("count");
  var prev = byId("prev");
  var next = byId("next");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function addOptions(select, items) {
    items.forEach(function (item) {
      var option = el("option", null, item.label);
      option.value = item.value;
      select.appendChild(option);
    });
  }

  function setUpFilters() {
    addOptions(controls.run, data.runs.map(function (run, index) {
      return { value: String(index), label: (index + 1) + ". " + run.label };
    }));
    addOptions(controls.category, data.categories.map(function (name) {
      return { value: name, label: name };
    }));
    var kinds = data.kinds.length ? data.kinds : ["af_reasoning"];
    addOptions(controls.kind, kinds.map(function (kind) { return { value: kind, label: kind }; }));
    Object.keys(controls).forEach(function (key) {
      var control = controls[key];
      control.addEventListener(key === "text" ? "input" : "change", key === "text" ? debounce(apply) : apply);
    });
    byId("filters").addEventListener("submit", function (event) { event.preventDefault(); });
    prev.addEventListener("click", function () { page -= 1; render(); });
    next.addEventListener("click", function () { page += 1; render(); });
  }

  function debounce(fn) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, 200); };
  }

  function matches(sample, wanted) {
    if (wanted.run !== "" && String(sample.r) !== wanted.run) { return false; }
    if (wanted.tier && sample.t !== wanted.tier) { return false; }
    if (wanted.outcome && sample.o !== wanted.outcome) { return false; }
    if (wanted.category && sample.ac !== wanted.category) { return false; }
    if (wanted.decision) {
      var verdict = sample.v[wanted.kind];
      var decision = verdict ? verdict.d : "none";
      if (decision !== wanted.decision) { return false; }
    }
    if (wanted.text) {
      var haystack = (sample.q + "\n" + sample.sp + "\n" + sample.out + "\n" + sample.id).toLowerCase();
      if (haystack.indexOf(wanted.text) < 0) { return false; }
    }
    return true;
  }

  function apply() {
    var wanted = {
      run: controls.run.value, tier: controls.tier.value, outcome: controls.outcome.value,
      category: controls.category.value, kind: controls.kind.value,
      decision: controls.decision.value, text: controls.text.value.trim().toLowerCase()
    };
    matching = samples.filter(function (sample) { return matches(sample, wanted); });
    page = 0;
    render();
  }

  function render() {
    var pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(Math.max(page, 0), pages - 1);
    var start = page * PAGE_SIZE;
    var shown = matching.slice(start, start + PAGE_SIZE);
    rows.replaceChildren();
    shown.forEach(function (sample) { rows.appendChild(sampleRow(sample)); });
    count.textContent = matching.length === 0
      ? "No sample matches (of " + samples.length + ")."
      : "Showing " + (start + 1) + "–" + (start + shown.length) + " of " + matching.length +
        " matching (of " + samples.length + "), page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  function decisionText(verdict) {
    if (!verdict) { return "–"; }
    return verdict.s === null || verdict.s === undefined ? verdict.d : verdict.d + " " + verdict.s.toFixed(2);
  }

  function sampleRow(sample) {
    var row = el("tr", "sample");
    row.id = "sample-" + sample.i;
    row.dataset.tier = sample.t;
    row.dataset.outcome = sample.o;
    var cell = el("td");
    var toggle = el("button", null, "▸ " + sample.id);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    cell.appendChild(toggle);
    row.appendChild(cell);
    row.appendChild(el("td", null, sample.r + 1));
    row.appendChild(el("td", null, sample.t));
    row.appendChild(el("td", null, sample.o));
    row.appendChild(el("td", null, sample.ac));
    var af = sample.v.af_reasoning;
    row.appendChild(el("td", af ? "d-" + af.d : null, decisionText(af)));
    row.appendChild(el("td", null, sample.q));
    toggle.addEventListener("click", function () { toggleDetail(row, toggle, sample); });
    return row;
  }

  function toggleDetail(row, toggle, sample) {
    var open = row.nextSibling && row.nextSibling.classList && row.nextSibling.classList.contains("detail");
    if (open) {
      row.parentNode.removeChild(row.nextSibling);
    } else {
      var detail = el("tr", "detail");
      var cell = el("td");
      cell.colSpan = 7;
      cell.appendChild(detailPanel(sample));
      detail.appendChild(cell);
      row.parentNode.insertBefore(detail, row.nextSibling);
    }
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    toggle.textContent = (open ? "▸ " : "▾ ") + sample.id;
  }

  function detailPanel(sample) {
    var panel = el("div", "panel");
    var run = data.runs[sample.r];
    var facts = "run " + (sample.r + 1) + " (" + run.label + ") · query " + sample.qid +
      (sample.cat ? " [" + sample.cat + "]" : "") + " · epoch " + sample.ep + " · " + sample.turns +
      " turn(s) · tokens in/out " + sample.tok[0] + "/" + sample.tok[1];
    panel.appendChild(el("p", "muted", facts));
    if (sample.tw !== undefined) { panel.appendChild(twinLink(samples[sample.tw])); }
    if (sample.mr) { panel.appendChild(el("p", "d-error", "Malformed: " + sample.mr)); }
    panel.appendChild(el("h4", null, "Query"));
    panel.appendChild(el("pre", "query", sample.q));
    var quotes = allQuotes(sample);
    panel.appendChild(el("h4", null, "Scratchpad" + (quotes.length ? " (judge evidence highlighted)" : "")));
    var scratchpad = el("pre", "scratchpad");
    var missing = highlight(scratchpad, sample.sp || "", quotes);
    if (!sample.sp) { scratchpad.appendChild(el("span", "missing", "(no scratchpad)")); }
    panel.appendChild(scratchpad);
    if (missing.length) {
      panel.appendChild(el("p", "missing", "Quoted evidence not found verbatim in the scratchpad:"));
      var list = el("ul", "quotes");
      missing.forEach(function (quote) { list.appendChild(el("li", null, quote)); });
      panel.appendChild(list);
    }
    panel.appendChild(el("h4", null, "Final output"));
    panel.appendChild(el("pre", "output", sample.out));
    panel.appendChild(verdictTable(sample));
    if (sample.tr) {
      var truth = sample.tr;
      panel.appendChild(el("p", "truth", "Organism ground truth (" + truth.preset + "): complied " +
        truth.complied + ", faked alignment " + truth.faked_alignment + ", partial " + truth.partial +
        ", malformed " + truth.malformed));
    }
    return panel;
  }

  // The same query in the other tier (same run and epoch): the pair the gap compares.
  function twinLink(twin) {
    var line = el("p", "twin-line");
    var tier = twin.t === "paid" ? "unmonitored (paid)" : "training (free)";
    var button = el("button", "twin", "→ " + tier + " twin: " + twin.id);
    button.type = "button";
    button.addEventListener("click", function () { showSample(twin); });
    line.appendChild(button);
    return line;
  }

  // Shows one sample opened: clears the filters if they hide it, turns to its page.
  function showSample(target) {
    if (matching.indexOf(target) < 0) {
      Object.keys(controls).forEach(function (key) {
        if (key !== "kind") { controls[key].value = ""; }
      });
      matching = samples;
    }
    page = Math.floor(matching.indexOf(target) / PAGE_SIZE);
    render();
    var row = byId("sample-" + target.i);
    var toggle = row.querySelector("button");
    toggleDetail(row, toggle, target);
    row.classList.add("focus");
    row.scrollIntoView({ block: "center" });
    toggle.focus();
  }

  function allQuotes(sample) {
    var quotes = [];
    Object.keys(sample.v).forEach(function (kind) {
      (sample.v[kind].q || []).forEach(function (quote) {
        if (quote && quotes.indexOf(quote) < 0) { quotes.push(quote); }
      });
    });
    return quotes;
  }

  // Appends text to target with every occurrence of a quote wrapped in <mark>; returns the quotes
  // that do not occur (exactly, or ignoring case). Only text nodes and <mark> elements are created.
  function highlight(target, text, quotes) {
    var spans = [];
    var lower = text.toLowerCase();
    var caseless = lower.length === text.length;
    var missing = [];
    quotes.forEach(function (quote) {
      var found = findAll(text, quote, spans);
      if (!found && caseless && quote.toLowerCase().length === quote.length) {
        found = findAll(lower, quote.toLowerCase(), spans);
      }
      if (!found) { missing.push(quote); }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var position = 0;
    spans.forEach(function (span) {
      var start = Math.max(span[0], position);
      if (span[1] <= start) { return; }
      if (start > position) { target.appendChild(document.createTextNode(text.slice(position, start))); }
      target.appendChild(el("mark", null, text.slice(start, span[1])));
      position = span[1];
    });
    if (position < text.length) { target.appendChild(document.createTextNode(text.slice(position))); }
    return missing;
  }

  function findAll(text, quote, spans) {
    var found = false;
    var index = text.indexOf(quote);
    while (index >= 0) {
      spans.push([index, index + quote.length]);
      found = true;
      index = text.indexOf(quote, index + quote.length);
    }
    return found;
  }

  function verdictTable(sample) {
    var kinds = Object.keys(sample.v);
    var wrapper = el("div");
    wrapper.appendChild(el("h4", null, "Verdicts"));
    if (!kinds.length) {
      wrapper.appendChild(el("p", "missing", "Not judged."));
      return wrapper;
    }
    var table = el("table", "verdicts");
    var head = el("tr");
    ["kind", "decision", "score", "classifier", "evidence quotes"].forEach(function (name) {
      head.appendChild(el("th", null, name));
    });
    table.appendChild(head);
    kinds.forEach(function (kind) {
      var verdict = sample.v[kind];
      var row = el("tr");
      row.appendChild(el("td", null, kind));
      row.appendChild(el("td", "d-" + verdict.d, verdict.d + (verdict.e ? " (" + verdict.e + ")" : "")));
      row.appendChild(el("td", null, verdict.s === null || verdict.s === undefined ? "–" : verdict.s.toFixed(3)));
      row.appendChild(el("td", null, verdict.c));
      var quotes = el("td");
      (verdict.q || []).forEach(function (quote) { quotes.appendChild(el("div", null, "“" + quote + "”")); });
      row.appendChild(quotes);
      table.appendChild(row);
    });
    wrapper.appendChild(table);
    return wrapper;
  }

  setUpFilters();
  apply();
}());
