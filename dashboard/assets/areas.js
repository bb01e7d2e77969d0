/* The Wijken page: a click on the map or on a row of the table asks for that area's profile,
 * which appears below the map and may take a few seconds the first time. Bring the place where
 * it appears into view at once (the loading message shows there: dashboard/pages/areas.py),
 * and again when the profile has arrived. Only after the reader chose an area: a page opened
 * from a link keeps its scroll position. */
(function () {
  var chosenAt = 0;
  function chosen(event) {
    var t = event.target;
    if (t && t.closest && t.closest("#areas-map, #areas-table")) chosenAt = Date.now();
  }
  document.addEventListener("click", chosen, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") chosen(event);
  }, true);
  function bringIntoView(node) {
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
    node.scrollIntoView({behavior: reduce && reduce.matches ? "auto" : "smooth",
                         block: "start"});
  }
  new MutationObserver(function (records) {
    if (!chosenAt || Date.now() - chosenAt > 60000) return;
    for (var i = 0; i < records.length; i++) {
      var added = records[i].addedNodes;
      for (var j = 0; j < added.length; j++) {
        var n = added[j];
        if (n.nodeType !== 1) continue;
        var loading = n.matches(".profile-loading") ? n : n.querySelector(".profile-loading");
        var title = n.id === "areas-profile-title" ? n : n.querySelector("#areas-profile-title");
        if (loading) bringIntoView(loading);
        if (title) {
          chosenAt = 0;
          bringIntoView(title);
          return;
        }
      }
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
