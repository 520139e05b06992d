/*
 * Race photos on your own website. Paste where the photo search should appear:
 *
 *   <div data-race-photos="https://PORTAL/embed/events/SLUG/"></div>
 *   <script src="https://PORTAL/static/photos/embed.js" async></script>
 *
 * The script puts the portal in an iframe, keeps the iframe as tall as its
 * content, and mirrors the runner's gallery or photo into this page's address
 * (#photos=bib/1234/, #photos=bib/1234/photos/<id>/), so reloading or sharing
 * the page reopens it. Where the portal does not answer from inside the frame
 * (this site is not on the event's list of sites, or the portal is down), the
 * frame gives way to a link that opens the photo search in a new tab.
 * The portal speaks each runner's browser language (else the event's default);
 * data-lang="de" (en, de, es, fr) picks one for everybody instead.
 * Other optional attributes: data-title (the iframe's accessible name),
 * data-hash-key (the name used in the address, "photos" by default) and
 * data-link-text (the words of that link).
 */
(function () {
  "use strict";

  // What the address may carry: a gallery or photo path relative to the event's embed page.
  var PLACE = /^(bib|selfie)\/[A-Za-z0-9-]{1,40}\/(photos\/[A-Za-z0-9-]{1,40}\/)?(\?page=[0-9]{1,5})?$/;
  // How long a loaded frame has to answer the greeting: the portal's script runs before the
  // frame's load event, so it answers at once; a frame the browser refused never does.
  var HANDSHAKE_MS = 3000;
  // The fallback link's words, in the language the frame would have spoken.
  var LINK_TEXTS = {
    en: "Find your race photos",
    de: "Deine Fotos vom Lauf finden",
    es: "Encuentra tus fotos de la carrera",
    fr: "Trouvez vos photos de la course",
  };
  var EVENT_PAGE = /^\/embed\/events\/[^/]+\/$/;
  var LANGUAGE_CODE = /^[a-z]{2}(-[a-z0-9]+)?$/;
  // Portal addresses may start with a language (/de/embed/…); the address state never does.
  var LANGUAGE_PREFIX = /^\/[a-z]{2}(-[a-z0-9]+)?(?=\/embed\/)/;

  function readState(key) {
    var match = window.location.hash.match(new RegExp("(?:^#|&)" + key + "=([^&]*)"));
    return match && PLACE.test(match[1]) ? match[1] : "";
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
    var silence = null;
    iframe.addEventListener("load", function () {
      iframe.contentWindow.postMessage({ type: "race-photos:hello" }, base.origin);
      window.clearTimeout(silence);
      silence = window.setTimeout(function () {
        giveWay(container, iframe, base, readState(key), language);
      }, HANDSHAKE_MS);
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== base.origin || event.source !== iframe.contentWindow) return;
      var data = event.data || {};
      if (data.type !== "race-photos:page") return;
      window.clearTimeout(silence);
      if (typeof data.height === "number" && data.height > 0) {
        iframe.style.height = Math.ceil(data.height) + "px";
      }
      if (typeof data.path === "string" && data.path !== shownPath) {
        var navigated = shownPath !== null;
        shownPath = data.path;
        // The runner may have switched language inside the frame: the gallery is the same.
        var path = data.path.replace(LANGUAGE_PREFIX, "");
        var state = path.indexOf(eventPath) === 0 ? path.slice(eventPath.length) : "";
        writeState(key, PLACE.test(state) ? state : "");
        // A new page inside the frame: bring its top into view, as a normal page load would.
        if (navigated && iframe.getBoundingClientRect().top < 0) iframe.scrollIntoView();
      }
    });
  }

  // The frame stayed silent: the browser refused it (this site is not among the event's
  // sites: the frame shows the browser's broken-page icon, with no word) or the portal could
  // not be reached. A link opens the same search or gallery as a normal page, in a new tab.
  function giveWay(container, iframe, base, state, language) {
    var page = new URL(state, base);
    page.pathname = page.pathname.replace("/embed/", "/");
    var link = document.createElement("a");
    link.href = page.href;
    link.target = "_blank";
    link.rel = "noopener";
    link.setAttribute("data-race-photos-link", "");
    var spoken = (language || navigator.language || "en").slice(0, 2).toLowerCase();
    link.textContent = container.getAttribute("data-link-text") || LINK_TEXTS[spoken] || LINK_TEXTS.en;
    link.style.cssText = "display:inline-block;padding:0.75em 1.25em;border:2px solid currentColor;" +
      "border-radius:0.6em;font:inherit;font-weight:600;color:inherit;text-decoration:none";
    iframe.replaceWith(link);
    if (window.console) {
      window.console.warn(
        "Race photos: the portal at " + base.origin + " did not answer inside the frame. " +
        "Is " + window.location.origin + " listed exactly (www. included) among the event's " +
        "sites that may embed the portal?"
      );
    }
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
