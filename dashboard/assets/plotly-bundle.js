/* Graphs draw with the small plotly.js bundle served from assets/vendor (scatter, bar, pie:
 * every trace type the dashboard uses) instead of the full one (4.8 MB, maps and 3-D included).
 * dcc.Graph loads plotly.js from window._dashPlotlyJSURL when a page first shows a graph, so
 * pages without graphs load none; the address is pinned here, before the renderer sets it. */
(function () {
  var url = new URL("vendor/plotly-basic-4.1.1.min.js", document.currentScript.src).href;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () { return url; },
    set: function () { /* the renderer's default (the full bundle) is not used */ },
  });
})();
