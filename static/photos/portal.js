// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

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

  if (window.parent !== window && document.body.classList.contains("embed")) talkToHostPage();
})();
