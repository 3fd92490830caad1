// Academy mock assessment: the countdown. The deadline is kept by the server; this only shows it.
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown]");
  var out = document.getElementById("countdown");
  if (!box || !out) return;
  var end = Date.now() + parseInt(box.getAttribute("data-countdown"), 10) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) { window.location.reload(); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
