// Follows a render: position in the queue, clips ready, then straight to the player.
"use strict";
(function () {
  const box = document.getElementById("job");
  const status = document.getElementById("status");
  const bar = document.getElementById("bar");
  const problem = document.getElementById("error");

  function poll() {
    fetch(box.dataset.state, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((job) => {
        if (job.state === "done" && job.player) {
          window.location.replace(job.player);
          return;
        }
        if (job.state === "failed") {
          status.textContent = "The render failed.";
          problem.textContent = job.error;
          problem.hidden = false;
          return;
        }
        if (job.state === "queued") {
          status.textContent = "Waiting: number " + job.position + " in the queue";
        } else if (job.total > 0 && job.done < job.total) {
          status.textContent = "Preparing the voice: " + job.done + " of " + job.total + " lines";
          bar.max = job.total;
          bar.value = job.done;
        } else {
          status.textContent = "Putting the session together…";
          bar.max = 1;
          bar.value = 1;
        }
        setTimeout(poll, 200);
      })
      .catch(() => setTimeout(poll, 1000));
  }
  poll();
})();
