/* Repairs to Dash's own components so that every page meets WCAG 2.1 AA (checked by axe-core
 * in tests/test_dashboard_fits_every_screen.py):
 * - a dropdown takes the keyboard focus on its own button, not on the helper field Dash puts
 *   in the tab order for Safari and hides from screen readers (a focusable hidden element);
 * - radio items and checklists are a group of radio buttons or check boxes named by the
 *   legend of their fieldset (dashboard/components.py choice_group); Dash marks them up as a
 *   list box without a name whose options each hold an input (nested controls).
 * Dash re-renders its components, so the repairs are made again after every change. */
(function () {
  function repairDropdowns(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (helper) {
      if (helper.tabIndex !== -1) helper.tabIndex = -1;
      var button = helper.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
  }
  function repairChoices(root) {
    // radio items and checklists only: a dropdown's menu is a real list box of options
    root.querySelectorAll(".dash-radioitems, .dash-checklist").forEach(function (list) {
      var role = list.querySelector("input[type=radio]") ? "radiogroup" : "group";
      if (list.getAttribute("role") !== role) list.setAttribute("role", role);
      if (list.hasAttribute("aria-multiselectable")) list.removeAttribute("aria-multiselectable");
      var fieldset = list.closest("fieldset");
      var legend = fieldset && fieldset.querySelector("legend[id]");
      if (legend && list.getAttribute("aria-labelledby") !== legend.id) {
        list.setAttribute("aria-labelledby", legend.id);
      }
      list.querySelectorAll("[role=option]").forEach(function (option) {
        option.removeAttribute("role");
        if (option.hasAttribute("aria-selected")) option.removeAttribute("aria-selected");
      });
    });
  }
  function repair() {
    repairDropdowns(document);
    repairChoices(document);
  }
  new MutationObserver(repair).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ["tabindex", "role", "aria-selected", "aria-multiselectable"]
  });
  repair();
})();
