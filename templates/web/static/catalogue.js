// Parcel form: add and remove indicator rows, and prefill a known indicator's name, unit and
// comparator. Without JavaScript the form still works with its fixed blank rows.
(function () {
  const table = document.getElementById("indicator-table");
  if (!table) return;
  const body = table.tBodies[0];
  const addButton = document.getElementById("add-row");
  const standard = JSON.parse(document.getElementById("standard-indicators").textContent || "{}");
  const field = (row, name) => row.querySelector(`[name="ind_${name}"]`);

  // 阈值上限 only means something for 介于: read-only (and emptied) for ≥ and ≤
  const syncHigh = (row, clear) => {
    const high = field(row, "threshold_high");
    const single = ["ge", "le"].includes(field(row, "comparator").value);
    if (single && clear) high.value = "";
    high.readOnly = single && !high.value;
  };

  const clearRow = (row) => {
    row.querySelectorAll("input").forEach((el) => { el.value = ""; el.readOnly = false; });
    row.querySelectorAll("select").forEach((el) => { el.value = ""; });
    row.querySelectorAll(".error-text").forEach((el) => { el.textContent = ""; });
    row.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
  };

  const renumber = () => {
    Array.from(body.rows).forEach((row, i) => {
      row.querySelectorAll("td[data-label]").forEach((td) => {
        const control = td.querySelector("input, select");
        const error = td.querySelector(".error-text");
        if (!control || !error) return;
        const id = `err-indicators-${i}-${control.name.replace(/^ind_/, "")}`;
        control.setAttribute("aria-label", `第${i + 1}行 ${td.dataset.label}`);
        control.setAttribute("aria-describedby", id);
        error.id = id;
      });
    });
  };

  const wire = (row) => {
    const remove = row.querySelector(".remove-row");
    remove.hidden = false;
    remove.addEventListener("click", () => {
      if (body.rows.length > 1) row.remove(); else clearRow(row);
      renumber();
    });
    // choosing an indicator fills in what is still blank or was filled in for the previous choice
    let previous = standard[field(row, "code").value] || [];
    field(row, "code").addEventListener("change", () => {
      const spec = standard[field(row, "code").value] || [];
      ["name_zh", "unit", "comparator", "measured_at"].forEach((name, i) => {
        const el = field(row, name);
        if (spec[i] !== undefined && (!el.value || el.value === previous[i])) el.value = spec[i];
      });
      previous = spec;
      syncHigh(row, false);
    });
    field(row, "comparator").addEventListener("change", () => syncHigh(row, true));
    syncHigh(row, false);
  };

  const isBlank = (row) => Array.from(row.querySelectorAll("input, select")).every((el) => !el.value.trim());
  // a fresh row to copy; the blank rows kept for the form without JavaScript give way to the add button
  const template = body.rows[body.rows.length - 1].cloneNode(true);
  clearRow(template);
  while (body.rows.length > 1 && isBlank(body.rows[body.rows.length - 1])) body.rows[body.rows.length - 1].remove();
  Array.from(body.rows).forEach(wire);
  addButton.hidden = false;
  addButton.addEventListener("click", () => {
    const row = template.cloneNode(true);
    body.appendChild(row);
    wire(row);
    renumber();
    field(row, "code").focus();
  });
})();
