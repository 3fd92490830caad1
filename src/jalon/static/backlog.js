// Drag and drop in the backlog (SortableJS from npm). Without JS, the move buttons do the same.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("[data-sortable]");
  if (!list || !window.Sortable) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  window.Sortable.create(list, {
    handle: ".handle",
    draggable: ".backlog-row",
    animation: 120,
    onEnd: async (event) => {
      const row = event.item;
      const previous = row.previousElementSibling;
      const next = row.nextElementSibling;
      const body = previous && previous.dataset.id
        ? { after_id: Number(previous.dataset.id) }
        : next && next.dataset.id ? { before_id: Number(next.dataset.id) } : { to: "top" };
      const response = await fetch(`/api/v1/items/${row.dataset.id}/move`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(body),
      });
      if (!response.ok) window.location.reload();  // show the order the server kept
    },
  });
});
