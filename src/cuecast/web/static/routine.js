// Steppers, and the session's total as the compiler previews it (never computed here).
"use strict";
(function () {
  const form = document.getElementById("routine");
  const total = document.getElementById("total");
  const problem = document.getElementById("preview-error");
  let timer = null;
  let asked = 0;

  function refresh() {
    const params = new URLSearchParams(new FormData(form));
    params.delete("save_as");
    const mine = ++asked;
    fetch(form.dataset.preview + "?" + params.toString(), { credentials: "same-origin" })
      .then((r) => r.json())
      .then((doc) => {
        if (mine !== asked) return; // a later change is on its way
        if (doc.error) {
          problem.textContent = doc.shown || doc.error;
          problem.hidden = false;
        } else {
          problem.hidden = true;
          total.textContent = doc.total;
          total.dataset.ms = doc.total_ms;
        }
      })
      .catch(() => {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  for (const button of form.querySelectorAll("button.step")) {
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.for);
      const step = Number(button.dataset.step);
      const low = Number(input.min || 1);
      const high = Number(input.max || 1800);
      const next = Math.min(high, Math.max(low, (Number(input.value) || 0) + step));
      input.value = String(next);
      later();
    });
  }
})();
