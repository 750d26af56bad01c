// A form marked data-submit-once posts once: a second click (or a double click) while the first post is on
// its way does nothing. Back to the page from the browser cache, the button works again.
(function () {
  document.querySelectorAll("form[data-submit-once]").forEach((form) => {
    const button = form.querySelector("button[type=submit]");
    if (!button) return;
    const label = button.textContent;
    form.addEventListener("submit", (event) => {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      setTimeout(() => { button.disabled = true; button.textContent = "正在提交…"; }, 0);
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) { delete form.dataset.sent; button.disabled = false; button.textContent = label; }
    });
  });
})();
