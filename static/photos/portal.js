// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // A gallery's photo links are signed for about an hour. Reload the gallery
  // before they expire, or as soon as a runner comes back to a stale tab.
  var refresh = document.querySelector(".link-refresh[data-refresh-at]");
  if (!refresh) return;
  var refreshAt = Number(refresh.getAttribute("data-refresh-at")) * 1000;

  function isStale() {
    return Date.now() >= refreshAt;
  }

  function reloadIfStale() {
    if (isStale() && document.visibilityState === "visible") {
      window.location.reload();
    }
  }

  function markStale() {
    refresh.classList.add("is-stale");
    refresh.setAttribute("role", "status");
  }

  window.setTimeout(reloadIfStale, Math.max(0, refreshAt - Date.now()));
  document.addEventListener("visibilitychange", reloadIfStale);
  // Back/forward cache restores a page with its old links.
  window.addEventListener("pageshow", reloadIfStale);

  // A photo that fails to load (e.g. its link expired while offline) is
  // pointed out next to the refresh link rather than left as a broken image.
  document.querySelectorAll(".photo-card img").forEach(function (img) {
    img.addEventListener("error", markStale);
  });
})();
