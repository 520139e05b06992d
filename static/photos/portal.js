// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Texts in the page's language come from Django's catalog (/<lang>/jsi18n/, loaded first).
  var gettext = window.django.gettext;
  var ngettext = window.django.ngettext;
  var interpolate = window.django.interpolate;

  // Inside a race website's iframe (see embed.js): tell the host page our
  // height and where the runner is, but only once it has greeted us from an
  // origin the organiser listed (or from the portal itself: the admin preview).
  // The list is in the form browsers give event.origin (photos/origins.py), so a plain
  // string comparison is exact.
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
      if (document.fullscreenElement) return;  // Escape leaves full screen, not the photo
      event.preventDefault();
      follow(event.key);
    });

    // A swipe is one finger on a photo seen whole: two fingers pinch, and a zoomed-in
    // photo pans under one.
    var start = null;
    viewer.addEventListener("touchstart", function (event) {
      var zoomed = window.visualViewport && window.visualViewport.scale > 1.01;
      start = event.touches.length === 1 && !zoomed && !document.fullscreenElement
        ? event.changedTouches[0] : null;
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

  // Tapping the photo shows it full screen in the page (where browsers can; elsewhere the link
  // opens the large preview on its own), where a pinch zooms; a tap again or Escape leaves.
  function offerFullScreen(link) {
    var figure = link.closest("figure");
    if (!document.fullscreenEnabled || !figure.requestFullscreen) return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (document.fullscreenElement) document.exitFullscreen();
      else figure.requestFullscreen().catch(function () { window.location.assign(link.href); });
    });
  }

  // Share: the phone's share sheet where there is one, else copy the link.
  function offerSharing(button) {
    var status = button.nextElementSibling;
    if (!navigator.share && !(navigator.clipboard && window.isSecureContext)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-share-url");
      // Counted for the organiser's figures: the event's address only, nothing about who.
      if (navigator.sendBeacon) navigator.sendBeacon(button.getAttribute("data-share-count"));
      if (navigator.share) {
        navigator.share({ title: button.getAttribute("data-share-title"), url: url }).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        status.textContent = gettext("Link copied");
      });
    });
  }

  // The gallery's selection mode: "Select" shows a tick on each photo and a tap on a photo
  // ticks it. Ticks are kept for the tab (sessionStorage) under the search's address without
  // its language or page, so they hold across its pages; "Download selected" sends the ticks
  // of other pages along with this page's.
  function enhanceGallery(form) {
    var bar = form.querySelector("[data-save-bar]");
    var toggle = bar.querySelector("[data-select-mode]");
    var count = bar.querySelector("[data-selection-count]");
    var downloadSelected = bar.querySelector("[data-download-selected]");
    var saveAll = bar.querySelector("[data-save-all]");
    var key = "race-photos:ticked:" + window.location.pathname.replace(/^\/[a-z]{2}(-[a-z0-9]+)?\//, "/");
    var ticked = readTicks();

    function readTicks() {
      try {
        return JSON.parse(window.sessionStorage.getItem(key)) || {};
      } catch (error) {
        return {};  // storage refused (some iframes) or spoilt: ticks last for this page only
      }
    }

    function keepTicks() {
      try {
        window.sessionStorage.setItem(key, JSON.stringify(ticked));
      } catch (error) { /* as above */ }
    }

    function boxes() {
      return Array.prototype.slice.call(form.querySelectorAll("input[name=photo]"));
    }

    function photoOf(box) {
      var link = box.closest(".photo-card").querySelector("a.download");
      return { url: link.href, name: link.getAttribute("download") };
    }

    function show() {
      var ids = Object.keys(ticked);
      var selecting = form.classList.contains("selecting");
      count.hidden = !selecting;
      count.textContent = interpolate(
        ngettext("%(count)s selected", "%(count)s selected", ids.length), { count: ids.length }, true
      );
      downloadSelected.hidden = !selecting;
      // The main action while selecting; beside "Save all" (without JavaScript), the second.
      downloadSelected.classList.toggle("button-secondary", !selecting);
      downloadSelected.disabled = !ids.length;
      saveAll.hidden = selecting;
      toggle.textContent = selecting ? gettext("Done") : gettext("Select");
    }

    function select(on) {
      form.classList.toggle("selecting", on);
      show();
    }

    form.classList.add("selectable");
    toggle.hidden = false;
    boxes().forEach(function (box) {
      box.checked = box.value in ticked;
      box.addEventListener("change", function () {
        if (box.checked) ticked[box.value] = photoOf(box);
        else delete ticked[box.value];
        keepTicks();
        show();
      });
    });
    toggle.addEventListener("click", function () { select(!form.classList.contains("selecting")); });
    form.addEventListener("click", function (event) {
      var link = event.target.closest(".photo-link");
      if (!link || !form.classList.contains("selecting")) return;
      event.preventDefault();
      var box = link.closest(".photo-card").querySelector("input[name=photo]");
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change"));
    });
    form.addEventListener("submit", function () {
      form.querySelectorAll("[data-ticked-elsewhere]").forEach(function (field) { field.remove(); });
      var here = boxes().map(function (box) { return box.value; });
      Object.keys(ticked).forEach(function (id) {
        if (here.indexOf(id) !== -1) return;
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "photo";
        field.value = id;
        field.setAttribute("data-ticked-elsewhere", "");
        form.appendChild(field);
      });
    });
    // Back to a page from the browser's cache: another page may have changed the ticks.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      ticked = readTicks();
      boxes().forEach(function (box) { box.checked = box.value in ticked; });
      show();
    });
    select(Object.keys(ticked).length > 0);
    offerPhoneSaving(form, function () { return ticked; });
  }

  // Phones: a ZIP is no use there, so "Save all" and "Download selected" hand the photos to
  // the share sheet as files, whence they go to the camera roll. Only where the browser can
  // share image files. Browsers open the share sheet only right after a tap, and take at most
  // SAVE_BATCH files a time (Chrome on Android; Safari takes more, but not without limit):
  // one tap starts, then one tap per batch, the next batch fetched while a sheet is open.
  // 47 photos: 1 + 5 taps, as the page says.
  var SAVE_BATCH = 10;

  function offerPhoneSaving(form, ticked) {
    var probe = [new File([""], "probe.jpg", { type: "image/jpeg" })];
    if (!navigator.share || !navigator.canShare || !navigator.canShare({ files: probe })) return;
    var bar = form.querySelector("[data-save-bar]");
    var status = bar.querySelector("[data-save-status]");
    var startButtons = [bar.querySelector("[data-save-all]"), bar.querySelector("[data-download-selected]")];
    bar.querySelectorAll("[data-zip-note]").forEach(function (note) { note.hidden = true; });
    // While a save is under way, the bar shows this button only (.saving in portal.css).
    var shareButton = document.createElement("button");
    shareButton.type = "button";
    shareButton.className = "button save-batch";
    startButtons[0].parentNode.insertBefore(shareButton, startButtons[0]);
    // The save under way: its photos, how many are saved, the next batch's files once fetched.
    var run = null;

    function photosOfPage(doc) {
      return Array.prototype.map.call(doc.querySelectorAll(".photo-card a.download"), function (link) {
        return { url: link.href, name: link.getAttribute("download") };
      });
    }

    // Every photo of the search: this page's, and the others' read from their gallery pages.
    function wholeSearch() {
      var pages = Number(form.getAttribute("data-pages"));
      var current = Number(form.getAttribute("data-page"));
      var reads = [];
      for (var number = 1; number <= pages; number += 1) {
        reads.push(number === current ? Promise.resolve(photosOfPage(document)) : readPage(number));
      }
      return Promise.all(reads).then(function (lists) { return [].concat.apply([], lists); });
    }

    function readPage(number) {
      var url = new URL(window.location.href);
      url.hash = "";
      url.searchParams.set("page", number);
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      }).then(function (html) {
        return photosOfPage(new DOMParser().parseFromString(html, "text/html"));
      });
    }

    function fetchFile(photo) {
      return fetch(photo.url).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.blob();
      }).then(function (blob) {
        return new File([blob], photo.name, { type: blob.type || "image/jpeg" });
      });
    }

    function say(text) {
      status.textContent = text;
      var meter = document.createElement("progress");
      meter.max = run.photos.length;
      meter.value = run.saved;
      meter.setAttribute("aria-hidden", "true");
      status.appendChild(meter);
    }

    function progress() {
      return interpolate(
        ngettext("%(saved)s of %(count)s saved.", "%(saved)s of %(count)s saved.", run.photos.length),
        { saved: run.saved, count: run.photos.length }, true
      );
    }

    // Fetches the next batch, and offers it once its files are here: the tap that shares them
    // must call navigator.share at once, with no wait in between.
    function offerBatch() {
      var first = run.saved + 1;
      var last = Math.min(run.saved + SAVE_BATCH, run.photos.length);
      var taps = Math.ceil((run.photos.length - run.saved) / SAVE_BATCH);
      var current = run;
      current.files = null;
      bar.classList.add("saving");
      shareButton.disabled = true;
      shareButton.textContent = first === last
        ? interpolate(gettext("Save photo %(first)s"), { first: first }, true)
        : interpolate(gettext("Save photos %(first)s–%(last)s"), { first: first, last: last }, true);
      say(progress() + " " + interpolate(
        gettext("Getting photos %(first)s–%(last)s ready…"), { first: first, last: last }, true
      ));
      Promise.all(run.photos.slice(first - 1, last).map(fetchFile)).then(function (files) {
        if (run !== current) return;
        current.files = files;
        shareButton.disabled = false;
        say(progress() + " " + interpolate(
          ngettext("%(taps)s tap to go: ", "%(taps)s taps to go: ", taps), { taps: taps }, true
        ) + interpolate(
          gettext("each opens your phone's share sheet with up to %(batch)s photos; choose “Save”."),
          { batch: SAVE_BATCH }, true
        ));
      }, fail);
    }

    function fail() {
      run = null;
      bar.classList.remove("saving");
      status.textContent = gettext("The photos could not be prepared. Use Download on each photo.");
    }

    function start(photos) {
      if (!photos.length) return;
      run = { photos: photos, saved: 0, files: null };
      offerBatch();
    }

    startButtons.forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var chosen = ticked();
        var ids = Object.keys(chosen);
        if (button.hasAttribute("data-download-selected")) {
          start(ids.map(function (id) { return chosen[id]; }));
          return;
        }
        status.textContent = gettext("Finding every photo of this search…");
        button.disabled = true;
        wholeSearch().then(function (photos) {
          button.disabled = false;
          start(photos);
        }).catch(function () {
          button.disabled = false;
          fail();
        });
      });
    });

    shareButton.addEventListener("click", function () {
      var current = run;
      if (!current || !current.files) return;
      shareButton.disabled = true;
      navigator.share({ files: current.files }).then(function () {
        current.saved += current.files.length;
        if (current.saved < current.photos.length) {
          offerBatch();
          return;
        }
        say(progress());
        bar.classList.remove("saving");
      }, function () {
        shareButton.disabled = false;
        say(progress() + " " + gettext("Saving was cancelled. Press Save to try again."));
      });
    });
  }

  // Selfie search: the chosen or dropped picture is shrunk here first (longest side
  // SELFIE_SIDE, JPEG), so a 5 MB phone photo goes up as about 200 KB; drawing it on a canvas
  // leaves its EXIF (GPS position included) behind. The form then posts as it does without
  // JavaScript. Where the browser cannot draw the picture (HEIC outside Safari), the original
  // goes up and the portal converts it.
  var SELFIE_SIDE = 1280;

  function enhanceSelfieForm(form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    var drop = form.querySelector("[data-selfie-drop]");
    var preview = form.querySelector("[data-selfie-preview]");
    var submit = form.querySelector("[data-selfie-submit]");
    var progress = form.querySelector("[data-selfie-progress]");
    var message = form.querySelector("[data-selfie-message]");
    var shrinking = null;

    function shrink(file) {
      if (!window.createImageBitmap || !window.DataTransfer) return Promise.resolve(file);
      return createImageBitmap(file).then(function (bitmap) {
        var scale = Math.min(1, SELFIE_SIDE / Math.max(bitmap.width, bitmap.height));
        preview.width = Math.round(bitmap.width * scale);
        preview.height = Math.round(bitmap.height * scale);
        preview.getContext("2d").drawImage(bitmap, 0, 0, preview.width, preview.height);
        preview.hidden = false;
        return new Promise(function (resolve) {
          preview.toBlob(function (blob) {
            resolve(blob ? new File([blob], "selfie.jpg", { type: "image/jpeg" }) : file);
          }, "image/jpeg", 0.85);
        });
      }).catch(function () {
        preview.hidden = true;
        return file;
      });
    }

    function choose(input, file) {
      // One picture is sent: the other field lets go of its own.
      inputs.forEach(function (other) { if (other !== input) other.value = ""; });
      message.textContent = "";
      shrinking = shrink(file).then(function (small) {
        if (small === file) return;
        var list = new DataTransfer();
        list.items.add(small);
        input.files = list.files;
      });
    }

    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.files.length) choose(input, input.files[0]);
      });
    });

    // Computers: a picture dropped anywhere on the form goes into the "choose" field.
    if (window.DataTransfer && window.matchMedia("(pointer: fine)").matches) {
      form.querySelector("[data-selfie-drop-hint]").hidden = false;
      form.addEventListener("dragover", function (event) {
        event.preventDefault();
        drop.classList.add("dropping");
      });
      form.addEventListener("dragleave", function () { drop.classList.remove("dropping"); });
      form.addEventListener("drop", function (event) {
        event.preventDefault();
        drop.classList.remove("dropping");
        var file = event.dataTransfer.files[0];
        if (!file) return;
        var input = inputs[inputs.length - 1];
        var list = new DataTransfer();
        list.items.add(file);
        input.files = list.files;
        choose(input, file);
      });
    }

    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-sending")) {
        event.preventDefault();
        return;
      }
      if (!inputs.some(function (input) { return input.files.length; })) {
        event.preventDefault();
        message.textContent = gettext("Take a selfie or choose a photo first.");
        return;
      }
      form.setAttribute("data-sending", "");
      submit.disabled = true;
      progress.hidden = false;
      if (shrinking) {
        event.preventDefault();
        shrinking.then(function () { form.submit(); });
      }
    });

    // Back from the gallery, the page may come from the browser's cache: ready again.
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-sending");
      submit.disabled = false;
      progress.hidden = true;
    });
  }

  document.querySelectorAll("[data-share-url]").forEach(offerSharing);
  document.querySelectorAll("[data-gallery]").forEach(enhanceGallery);
  document.querySelectorAll("[data-selfie-form]").forEach(enhanceSelfieForm);
  var viewer = document.querySelector("[data-viewer]");
  if (viewer) navigateViewer(viewer);
  document.querySelectorAll("[data-viewer-zoom]").forEach(offerFullScreen);
  if (window.parent !== window && document.body.classList.contains("embed")) talkToHostPage();
})();
