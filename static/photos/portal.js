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

  // The photo viewer: arrow keys and Escape follow its links; so does a sideways swipe.
  function navigateViewer(viewer) {
    function follow(key) {
      var link = viewer.querySelector('[data-viewer-key="' + key + '"]');
      if (link) window.location.assign(link.href);
    }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) return;
      if (["ArrowLeft", "ArrowRight", "Escape"].indexOf(event.key) === -1) return;
      event.preventDefault();
      follow(event.key);
    });

    var start = null;
    viewer.addEventListener("touchstart", function (event) {
      start = event.changedTouches[0];
    }, { passive: true });
    viewer.addEventListener("touchend", function (event) {
      if (!start) return;
      var dx = event.changedTouches[0].clientX - start.clientX;
      var dy = event.changedTouches[0].clientY - start.clientY;
      start = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > 2 * Math.abs(dy)) {
        follow(dx < 0 ? "ArrowRight" : "ArrowLeft");
      }
    }, { passive: true });
  }

  // Share: the phone's share sheet where there is one, else copy the link.
  function offerSharing(button) {
    var status = button.nextElementSibling;
    if (!navigator.share && !(navigator.clipboard && window.isSecureContext)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-share-url");
      if (navigator.share) {
        navigator.share({ title: button.getAttribute("data-share-title"), url: url }).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        status.textContent = "Link copied";
      });
    });
  }

  document.querySelectorAll("[data-share-url]").forEach(offerSharing);
  var viewer = document.querySelector("[data-viewer]");
  if (viewer) navigateViewer(viewer);
  if (window.parent !== window && document.body.classList.contains("embed")) talkToHostPage();
})();
