// After a failed submission the error summary (or an error shown next to its form) takes the focus, so
// it is in view and read out at once; a summary link focuses the field it names, not just scrolls to it.
(function () {
  const first = document.querySelector("[data-autofocus]");
  const focusFirst = () => {
    const active = document.activeElement;
    if (first && (!active || active === document.body)) first.focus();
  };
  focusFirst();
  // the browser's own scroll to a #fragment, once the page has loaded, may take the focus back to the page
  window.addEventListener("load", () => setTimeout(focusFirst, 0));
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".error-summary a[href^='#']");
    const box = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!box) return;
    const field = box.matches("input, select, textarea") ? box
      : box.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea");
    if (!field) return;
    event.preventDefault();
    field.focus();
    box.scrollIntoView({ block: "center" });
  });
})();
