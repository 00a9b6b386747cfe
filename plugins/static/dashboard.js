/* rectrack dashboard: draw the Vega-Lite specs embedded in the page (vendored vega-embed). */
(function () {
  "use strict";
  var specsEl = document.getElementById("rectrack-specs");
  var specs = specsEl ? JSON.parse(specsEl.textContent) : {};
  Object.keys(specs).forEach(function (id) {
    var target = document.getElementById("chart-" + id);
    if (!target) return;
    vegaEmbed(target, specs[id], {
      renderer: "svg",
      // Clicking a bar follows its href in this tab.
      loader: { target: "_self" },
      actions: { export: true, source: false, compiled: false, editor: false }
    }).catch(function (error) {
      target.textContent = "This chart could not be drawn: " + error;
      console.error(error);
    });
  });
  // Apply a filter as soon as it is chosen (the Apply button stays for no-JS use).
  document.querySelectorAll("form.rectrack-filters select").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
