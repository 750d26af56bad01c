// Live checks on the application form. The server validates everything again on submit.
(function () {
  const form = document.getElementById("application-form");
  if (!form) return;
  const uscc = form.querySelector('[data-live="uscc"]');
  const showError = (name, message) => {
    const label = document.getElementById("field-" + name);
    label.classList.toggle("has-error", Boolean(message));
    label.querySelector(".error-text").textContent = message || "";
  };
  uscc.addEventListener("blur", async () => {
    if (!uscc.value.trim()) return;
    const res = await fetch("/api/v1/uscc/" + encodeURIComponent(uscc.value.trim()));
    const body = await res.json();
    if (body.valid) { uscc.value = body.normalized; showError("uscc", ""); } else { showError("uscc", body.reason); }
  });
  // One submission only: a double click must not post twice (the server also deduplicates).
  const button = document.getElementById("submit-button");
  const label = button.textContent;
  form.addEventListener("submit", () => {
    setTimeout(() => { button.disabled = true; button.textContent = "正在提交…"; }, 0);
  });
  // Back to this page from the browser cache: the button must work again (same idempotency key).
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) { button.disabled = false; button.textContent = label; }
  });
  // Show only the chosen parcel's indicators; the others are disabled so they are not posted.
  const parcelSelect = form.querySelector('select[name="parcel_id"]');
  const showIndicators = () => {
    form.querySelectorAll(".indicator-group").forEach((group) => {
      const chosen = group.dataset.parcel === parcelSelect.value;
      group.hidden = !chosen;
      group.querySelectorAll("input").forEach((input) => { input.disabled = !chosen; });
    });
    document.getElementById("indicators-hint").hidden = Boolean(parcelSelect.value);
  };
  parcelSelect.addEventListener("change", showIndicators);
  showIndicators();
  // Per-亩 values (投资强度, 亩均产值, 亩均税收) are a total ÷ 用地面积: shown as the placeholder, so an empty
  // field says what the server will derive (services/standard_land/per_mu.py rounds half-up to 2 decimals).
  const perMu = form.querySelectorAll("[data-per-mu-total]");
  const number = (name) => Number((form.querySelector(`[name="${name}"]`).value || "").replace(/,/g, "").trim());
  const showPerMu = () => {
    const area = number("land_area_mu");
    perMu.forEach((input) => {
      const total = number(input.dataset.perMuTotal);
      const known = area > 0 && Number.isFinite(area) && Number.isFinite(total)
        && form.querySelector(`[name="${input.dataset.perMuTotal}"]`).value.trim() !== "";
      input.placeholder = known ? (Math.round((total / area) * 100) / 100).toString() : "";
    });
  };
  ["land_area_mu", "total_investment_wan", "expected_annual_output_wan", "expected_annual_tax_wan"].forEach((name) => {
    form.querySelector(`[name="${name}"]`).addEventListener("input", showPerMu);
  });
  showPerMu();
  const preview = document.getElementById("due-preview");
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  fetch(`/api/v1/calendar/due?accepted_on=${today}&working_days=${preview.dataset.days}`)
    .then((r) => r.json())
    .then((b) => {
      const [y, m, d] = b.due.split("-").map(Number);
      preview.textContent = `${y}年${m}月${d}日` + (b.provisional ? "（暂定）" : "");
    });
})();
