/*
 * Race photos on your own website. Paste where the photo search should appear:
 *
 *   <div data-race-photos="https://PORTAL/embed/events/SLUG/"></div>
 *   <script src="https://PORTAL/static/photos/embed.js" async></script>
 *
 * The script puts the portal in an iframe, keeps the iframe as tall as its
 * content, and mirrors the runner's gallery into this page's address
 * (#photos=bib/1234/), so reloading or sharing the page reopens that gallery.
 * The portal speaks each runner's browser language (else the event's default);
 * data-lang="de" (en, de, es, fr) picks one for everybody instead.
 * Other optional attributes: data-title (the iframe's accessible name) and
 * data-hash-key (the name used in the address, "photos" by default).
 */
(function () {
  "use strict";

  // What the address may carry: a gallery path relative to the event's embed page.
  var GALLERY = /^(bib|selfie)\/[A-Za-z0-9-]{1,40}\/(\?page=[0-9]{1,5})?$/;
  var EVENT_PAGE = /^\/embed\/events\/[^/]+\/$/;
  var LANGUAGE_CODE = /^[a-z]{2}(-[a-z0-9]+)?$/;
  // Portal addresses may start with a language (/de/embed/…); the address state never does.
  var LANGUAGE_PREFIX = /^\/[a-z]{2}(-[a-z0-9]+)?(?=\/embed\/)/;

  function readState(key) {
    var match = window.location.hash.match(new RegExp("(?:^#|&)" + key + "=([^&]*)"));
    return match && GALLERY.test(match[1]) ? match[1] : "";
  }

  function writeState(key, value) {
    var parts = window.location.hash.replace(/^#/, "").split("&").filter(function (part) {
      return part && part.indexOf(key + "=") !== 0;
    });
    if (value) parts.push(key + "=" + value);
    var url = window.location.pathname + window.location.search;
    window.history.replaceState(window.history.state, "", parts.length ? url + "#" + parts.join("&") : url);
  }

  function embed(container) {
    var base = new URL(container.getAttribute("data-race-photos"), document.baseURI);
    var eventPath = base.pathname.replace(LANGUAGE_PREFIX, "");
    if (!EVENT_PAGE.test(eventPath)) {
      container.textContent = "Race photos: data-race-photos must be an /embed/events/<event>/ address.";
      return;
    }
    var language = container.getAttribute("data-lang");
    if (language) {
      if (!LANGUAGE_CODE.test(language)) {
        container.textContent = "Race photos: data-lang must be a language code such as de.";
        return;
      }
      base.pathname = "/" + language + eventPath;
    }
    var key = container.getAttribute("data-hash-key") || "photos";
    var iframe = document.createElement("iframe");
    iframe.title = container.getAttribute("data-title") || "Race photos";
    iframe.src = new URL(readState(key), base).href;
    iframe.setAttribute("allow", "web-share; clipboard-write");
    iframe.style.display = "block";
    iframe.style.width = "100%";
    iframe.style.height = "640px";
    iframe.style.border = "0";
    container.appendChild(iframe);

    var shownPath = null;
    iframe.addEventListener("load", function () {
      iframe.contentWindow.postMessage({ type: "race-photos:hello" }, base.origin);
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== base.origin || event.source !== iframe.contentWindow) return;
      var data = event.data || {};
      if (data.type !== "race-photos:page") return;
      if (typeof data.height === "number" && data.height > 0) {
        iframe.style.height = Math.ceil(data.height) + "px";
      }
      if (typeof data.path === "string" && data.path !== shownPath) {
        var navigated = shownPath !== null;
        shownPath = data.path;
        // The runner may have switched language inside the frame: the gallery is the same.
        var path = data.path.replace(LANGUAGE_PREFIX, "");
        var state = path.indexOf(eventPath) === 0 ? path.slice(eventPath.length) : "";
        writeState(key, GALLERY.test(state) ? state : "");
        // A new page inside the frame: bring its top into view, as a normal page load would.
        if (navigated && iframe.getBoundingClientRect().top < 0) iframe.scrollIntoView();
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-race-photos]").forEach(embed);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
