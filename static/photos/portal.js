// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // A gallery's photo links are signed for about an hour. Reload the gallery
  // before they expire, or as soon as a runner comes back to a stale tab.
  function keepPhotoLinksFresh(notice) {
    var refreshAt = Number(notice.getAttribute("data-refresh-at")) * 1000;

    function reloadIfStale() {
      if (Date.now() >= refreshAt && document.visibilityState === "visible") {
        window.location.reload();
      }
    }

    window.setTimeout(reloadIfStale, Math.max(0, refreshAt - Date.now()));
    document.addEventListener("visibilitychange", reloadIfStale);
    // Back/forward cache restores a page with its old links.
    window.addEventListener("pageshow", reloadIfStale);

    // A photo that fails to load (its link expired while offline, say) is
    // pointed out next to the refresh link rather than left as a broken image.
    document.querySelectorAll(".photo-card img").forEach(function (img) {
      img.addEventListener("error", function () {
        notice.classList.add("is-stale");
        notice.setAttribute("role", "status");
      });
    });
  }

  // Inside a race website's iframe (see embed.js): tell the host page our
  // height and where the runner is, but only once it has greeted us from an
  // origin the organiser listed (or from the portal itself: the admin preview).
  function talkToHostPage() {
    var allowed = (document.documentElement.getAttribute("data-embed-origins") || "")
      .split(" ")
      .filter(Boolean)
      .concat([window.location.origin]);
    var host = null;

    function report() {
      if (!host) return;
      host.source.postMessage(
        {
          type: "race-photos:page",
          height: Math.ceil(document.documentElement.getBoundingClientRect().height),
          path: window.location.pathname + window.location.search,
        },
        host.origin
      );
    }

    window.addEventListener("message", function (event) {
      if (allowed.indexOf(event.origin) === -1) return;
      if (!event.data || event.data.type !== "race-photos:hello") return;
      host = { source: event.source, origin: event.origin };
      report();
    });
    if ("ResizeObserver" in window) {
      new ResizeObserver(report).observe(document.documentElement);
    }
    window.addEventListener("resize", report);
    window.addEventListener("load", report);
  }

  var notice = document.querySelector(".link-refresh[data-refresh-at]");
  if (notice) keepPhotoLinksFresh(notice);
  if (window.parent !== window && document.body.classList.contains("embed")) talkToHostPage();
})();
