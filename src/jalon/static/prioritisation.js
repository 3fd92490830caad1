// The scoring grid as a spreadsheet: arrows, Tab and Enter move between cells, and a row is
// saved as soon as one of its cells changed and the focus leaves it. Without this script,
// the grid is a plain form saved with its "Save all" button.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-grid]");
  if (!form) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const body = form.querySelector("tbody");

  const cellsOf = (row) => Array.from(row.querySelectorAll("input[data-col]"));
  const rows = () => Array.from(body.querySelectorAll("tr[data-item]"));

  function focusCell(row, col) {
    if (!row) return false;
    const cells = cellsOf(row);
    const cell = cells[Math.min(col, cells.length - 1)];
    if (!cell) return false;
    cell.focus();
    cell.select();
    return true;
  }

  function neighbour(row, step) {
    const all = rows();
    return all[all.indexOf(row) + step];
  }

  async function saveRow(row) {
    const data = new URLSearchParams();
    data.append("model", form.elements.model.value);
    data.append("items", row.dataset.item);
    for (const cell of cellsOf(row)) data.append(cell.name, cell.value);
    row.setAttribute("aria-busy", "true");
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "X-CSRF-Token": token, "HX-Request": "true" },
      body: data,
    });
    if (response.status !== 200 && response.status !== 422) {
      row.removeAttribute("aria-busy");
      form.requestSubmit();  // let the server's full answer show what went wrong
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const fresh = template.content.querySelector("tr[data-item]");
    if (!fresh) return;
    const active = document.activeElement;
    const keep = active && row.contains(active) ? active.name : null;
    row.replaceWith(fresh);
    if (keep) {
      const again = fresh.querySelector(`[name="${keep}"]`);
      if (again) again.focus();
    }
  }

  body.addEventListener("change", (event) => {
    const row = event.target.closest("tr[data-item]");
    if (row) row.dataset.dirty = "true";
  });

  body.addEventListener("focusout", (event) => {
    const row = event.target.closest("tr[data-item]");
    if (!row || row.dataset.dirty !== "true") return;
    if (event.relatedTarget && row.contains(event.relatedTarget)) return;
    delete row.dataset.dirty;
    saveRow(row);
  });

  body.addEventListener("keydown", (event) => {
    const cell = event.target;
    if (!(cell instanceof HTMLInputElement) || !cell.dataset.col) return;
    const row = cell.closest("tr[data-item]");
    const col = Number(cell.dataset.col);
    const atStart = cell.selectionStart === 0 && cell.selectionEnd === 0;
    const atEnd = cell.selectionStart === cell.value.length;
    let moved = false;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) {
      if (event.key === "Enter" && row.dataset.dirty === "true") {
        delete row.dataset.dirty;
        saveRow(row);
      }
      moved = focusCell(neighbour(row, 1), col) || event.key === "Enter";
    } else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) {
      moved = focusCell(neighbour(row, -1), col) || event.key === "Enter";
    } else if (event.key === "ArrowLeft" && atStart && col > 0) {
      moved = focusCell(row, col - 1);
    } else if (event.key === "ArrowRight" && atEnd) {
      moved = focusCell(row, col + 1);
    }
    if (moved) event.preventDefault();
  });
});
