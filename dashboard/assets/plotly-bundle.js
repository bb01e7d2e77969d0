/* Graphs draw with the small plotly.js bundle served from assets/vendor (scatter, bar, pie:
 * every trace type the dashboard uses) instead of the full one (4.8 MB, maps and 3-D included).
 *
 * dcc.Graph loads plotly.js from window._dashPlotlyJSURL when a graph first mounts, so pages
 * without graphs load none; the address is pinned here, before the renderer sets its own.
 * Pages known to show graphs (Wijken, Doelstelling) start loading it at once instead, while the
 * page's own scripts and data arrive: until it has run, a stand-in for window.Plotly that
 * dcc.Graph can wait on (a thenable) keeps the graph from loading it a second time. */
(function () {
  var url = new URL("vendor/plotly-basic-4.1.1.min.js", document.currentScript.src).href;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () { return url; },
    set: function () { /* the renderer's default (the full bundle) is not used */ },
  });
  if (window.Plotly || !/\/(wijken|doelstelling)(\/|$)/.test(window.location.pathname)) {
    return;
  }
  var loading = new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onload = function () { resolve(window.Plotly); };
    script.onerror = function () { reject(new Error("plotly.js did not load: " + url)); };
    document.head.appendChild(script);
  });
  window.Plotly = { then: function (done, failed) { return loading.then(done, failed); } };
})();
