/* The document's language follows the page shown: every page's frame carries lang="nl" or
 * lang="en" (dashboard/components.py); the <html> element takes it over whenever the page
 * changes, so a screen reader reads each page in its own language. */
(function () {
  function follow() {
    var frame = document.querySelector("#_pages_content .frame[lang]");
    if (frame && document.documentElement.lang !== frame.lang) {
      document.documentElement.lang = frame.lang;
    }
  }
  new MutationObserver(follow).observe(document.documentElement, {childList: true, subtree: true});
  follow();
})();
