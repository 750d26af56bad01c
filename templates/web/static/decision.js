// The decision form shows only what the chosen decision needs: the 补正 table and the 再次补正理由 for
// 要求补正, the required star on the reasons where they are required. Hidden parts are disabled so they are
// not posted. Without script everything stays visible; the server checks every decision either way.
(function () {
  const form = document.getElementById("decision-form");
  if (!form) return;
  const chosen = () => (form.querySelector("input[name=kind]:checked") || { value: "" }).value;
  const update = () => {
    const kind = chosen();
    form.querySelectorAll("[data-shown-for]").forEach((part) => {
      const shown = part.dataset.shownFor.split(" ").includes(kind);
      part.hidden = !shown;
      part.querySelectorAll("input, textarea, select").forEach((input) => { input.disabled = !shown; });
    });
    form.querySelectorAll("[data-required-for]").forEach((star) => {
      star.hidden = !star.dataset.requiredFor.split(" ").includes(kind);
    });
  };
  form.addEventListener("change", (event) => { if (event.target.name === "kind") update(); });
  update();
  // One submission only: a double click must not post twice.
  const button = document.getElementById("decide-button");
  form.addEventListener("submit", () => {
    setTimeout(() => { button.disabled = true; button.textContent = "正在提交…"; }, 0);
  });
})();
