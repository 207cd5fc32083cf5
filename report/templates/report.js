// Filters over the rendered page: speaker, outlet, language, and the order of statements.
// The state lives in the address's fragment (#speaker=…&outlet=…), so a filtered view can be shared.
(function () {
  "use strict";
  var all = function (selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); };
  var controls = {
    speaker: document.getElementById("filter-speaker"),
    outlet: document.getElementById("filter-outlet"),
    language: document.getElementById("filter-language"),
    sort: document.getElementById("sort")
  };
  var holds = function (element, key, value) {
    return !value || (element.getAttribute("data-" + key) || "").split("|").indexOf(value) !== -1;
  };
  var matches = function (element, filters) {
    return holds(element, "outlet", filters.outlet) && holds(element, "language", filters.language);
  };
  var orders = {
    size: function (a, b) { return b.dataset.size - a.dataset.size || b.dataset.drift - a.dataset.drift; },
    drift: function (a, b) { return b.dataset.drift - a.dataset.drift || b.dataset.size - a.dataset.size; },
    outlets: function (a, b) {
      return b.dataset.outlets.split("|").length - a.dataset.outlets.split("|").length || b.dataset.size - a.dataset.size;
    }
  };

  function apply() {
    var filters = { speaker: controls.speaker.value, outlet: controls.outlet.value, language: controls.language.value };
    var narrowed = filters.outlet || filters.language;
    var statements = 0;
    all(".speaker").forEach(function (section) {
      var chosen = !filters.speaker || section.dataset.speaker === filters.speaker;
      var visible = 0;
      var list = all(".statement", section);
      list.sort(orders[controls.sort.value] || orders.size);
      list.forEach(function (statement) {
        statement.parentNode.insertBefore(statement, section.querySelector("details.others"));
        var show = chosen && holds(statement, "outlets", filters.outlet) && holds(statement, "languages", filters.language);
        statement.hidden = !show;
        if (show) { visible += 1; }
      });
      var others = 0;
      all(".other-quote", section).forEach(function (quote) {
        quote.hidden = !matches(quote, filters);
        if (!quote.hidden) { others += 1; }
      });
      section.hidden = !chosen || (narrowed && visible + others === 0);
      statements += visible;
    });
    all(".doc").forEach(function (doc) { doc.hidden = !matches(doc, filters); });
    all(".chain").forEach(function (chain) {
      chain.hidden = !all("[data-outlet]", chain).some(function (member) { return matches(member, filters); });
    });
    document.getElementById("shown").textContent = statements + " statements shown";
    var state = Object.keys(filters).filter(function (k) { return filters[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(filters[k]); });
    if (controls.sort.value !== "size") { state.push("sort=" + controls.sort.value); }
    history.replaceState(null, "", state.length ? "#" + state.join("&") : location.pathname + location.search);
  }

  function fromFragment() {
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var control = controls[parts[0]];
      if (control && parts.length === 2) {
        var value = decodeURIComponent(parts[1]);
        if (all("option", control).some(function (o) { return o.value === value; })) { control.value = value; }
      }
    });
  }

  Object.keys(controls).forEach(function (key) { controls[key].addEventListener("change", apply); });
  document.getElementById("reset").addEventListener("click", function () {
    controls.speaker.value = controls.outlet.value = controls.language.value = "";
    controls.sort.value = "size";
    apply();
  });
  fromFragment();
  apply();
  document.body.setAttribute("data-ready", "true");
})();
