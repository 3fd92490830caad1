// Sprint planning and the sprint board: drag and drop (SortableJS from npm) over the JSON API.
// Planning: drag an item between the backlog and the sprint. Board: drag a card to another
// column (the backlog's status change). The page then reloads, so the capacity bar and the
// WIP warnings are the server's. Without JS, the buttons and selects under each row work.
(() => {
  const token = () => document.querySelector('meta[name="csrf-token"]').content;

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.ok;
  }

  function setupPlan(root) {
    const sprint = root.dataset.sprint;
    if (!("editable" in root.dataset)) return;  // read-only for this role or state
    root.querySelectorAll("[data-plan-list]").forEach((list) => {
      window.Sortable.create(list, {
        group: "plan",
        handle: ".handle",
        draggable: ".plan-row",
        animation: 120,
        onAdd: async (event) => {
          const id = event.item.dataset.id;
          const ok = list.dataset.planList === "sprint"
            ? await call("POST", `/api/v1/sprints/${sprint}/items`, { item_ids: [Number(id)] })
            : await call("DELETE", `/api/v1/sprints/${sprint}/items/${id}`);
          if (!ok) window.alert(document.documentElement.lang === "fr"
            ? "Ce déplacement a été refusé." : "This move was refused.");
          window.location.reload();
        },
      });
    });
  }

  function setupBoard(root) {
    if (!("movable" in root.dataset)) return;  // not movable for this role or state
    root.querySelectorAll(".board-cards").forEach((list) => {
      window.Sortable.create(list, {
        group: "board",
        draggable: ".board-card",
        filter: "select, button, a",
        preventOnFilter: false,
        animation: 120,
        onAdd: async (event) => {
          await call("PATCH", `/api/v1/items/${event.item.dataset.id}`, { status: list.dataset.status });
          window.location.reload();
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.Sortable) return;
    const plan = document.querySelector("[data-plan]");
    if (plan) setupPlan(plan);
    const board = document.querySelector("[data-board]");
    if (board) setupBoard(board);
  });
})();
