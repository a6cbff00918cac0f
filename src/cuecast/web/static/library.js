// The feed address is selected whole when focused, ready to copy.
"use strict";
(function () {
  const feed = document.getElementById("feed");
  if (feed) feed.addEventListener("focus", () => feed.select());
})();
