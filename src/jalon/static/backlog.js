// The backlog list: drag and drop (SortableJS from npm), keyboard move buttons without a page
// reload, and the selection count of the bulk-edit bar. Without JS, every form still works.
(() => {
  const token = () => document.querySelector('meta[name="csrf-token"]').content;

  async function move(id, body) {
    const response = await fetch(`/api/v1/items/${id}/move`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token() },
      body: JSON.stringify(body),
    });
    return response.ok;
  }

  function placement(row) {
    const previous = row.previousElementSibling;
    const next = row.nextElementSibling;
    if (previous && previous.dataset.id) return { after_id: Number(previous.dataset.id) };
    if (next && next.dataset.id) return { before_id: Number(next.dataset.id) };
    return { to: "top" };
  }

  // Up and down step over the neighbour shown, which a filter may hide others around.
  function stepOf(row, to) {
    const previous = row.previousElementSibling;
    const next = row.nextElementSibling;
    if (to === "up" && previous && previous.dataset.id) return { before_id: Number(previous.dataset.id) };
    if (to === "down" && next && next.dataset.id) return { after_id: Number(next.dataset.id) };
    return { to };
  }

  // Move buttons: ask the server, then move the row where the server put it.
  function moveRow(row, to, list) {
    const rows = () => [...list.querySelectorAll(".backlog-row")];
    if (to === "up" && row.previousElementSibling) list.insertBefore(row, row.previousElementSibling);
    else if (to === "down" && row.nextElementSibling && row.nextElementSibling.dataset.id) {
      list.insertBefore(row.nextElementSibling, row);
    } else if (to === "top") list.insertBefore(row, rows()[0]);
    else if (to === "bottom") {
      const more = document.getElementById("backlog-more");
      if (more) row.remove();  // its new place is on a page not loaded yet
      else list.appendChild(row);
    }
  }

  function setupMoves(list) {
    // One shared form: each row's buttons submit it with their own formaction and `to`.
    const form = document.getElementById("move-form");
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      const button = event.submitter;
      const row = button && button.closest(".backlog-row");
      if (!row) return;
      event.preventDefault();
      const to = button.value;
      if (!(await move(row.dataset.id, stepOf(row, to)))) { window.location.reload(); return; }
      moveRow(row, to, list);
      const again = row.querySelector(`button[data-move="${to}"]`);
      if (again && row.isConnected) again.focus();
    });
  }

  function setupSelection() {
    const count = document.querySelector("[data-selected-count]");
    const all = document.querySelector("[data-select-page]");
    if (!count) return;
    const boxes = () => [...document.querySelectorAll(".row-select")];
    const update = () => { count.textContent = boxes().filter((b) => b.checked).length; };
    document.addEventListener("change", (event) => {
      if (event.target === all) boxes().forEach((b) => { b.checked = all.checked; });
      if (event.target === all || event.target.classList.contains("row-select")) update();
    });
    document.addEventListener("htmx:afterSwap", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const list = document.querySelector("[data-sortable]");
    setupSelection();
    if (!list) return;
    setupMoves(list);
    if (!window.Sortable) return;
    window.Sortable.create(list, {
      handle: ".handle",
      draggable: ".backlog-row",
      animation: 120,
      onEnd: async (event) => {
        if (event.oldIndex === event.newIndex) return;
        if (!(await move(event.item.dataset.id, placement(event.item)))) window.location.reload();
      },
    });
  });
})();
