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

  // Phones: a ZIP is no use there, so "Save" hands the photos (the ticked ones, else all
  // on this page) to the share sheet as files, in batches, whence they go to the camera
  // roll. Only offered where the browser can share image files.
  var SAVE_BATCH = 10;

  function offerSaving(button) {
    var probe = [new File([""], "probe.jpg", { type: "image/jpeg" })];
    if (!navigator.share || !navigator.canShare || !navigator.canShare({ files: probe })) return;
    var form = button.form;
    var status = button.nextElementSibling;
    button.hidden = false;

    function chosenLinks() {
      var cards = Array.prototype.filter.call(form.querySelectorAll(".photo-card"), function (card) {
        return card.querySelector("input[name=photo]:checked");
      });
      if (!cards.length) cards = Array.prototype.slice.call(form.querySelectorAll(".photo-card"));
      return cards.map(function (card) { return card.querySelector("a.download"); });
    }

    function fetchFile(link) {
      return fetch(link.href).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.blob();
      }).then(function (blob) {
        return new File([blob], link.getAttribute("download"), { type: "image/jpeg" });
      });
    }

    // Browsers only open the share sheet right after a tap, and fetching photos takes
    // longer than that lasts: one tap prepares a batch, the next shares it.
    var links = [];
    var prepared = null;
    var start = 0;

    function prepare() {
      var batch = links.slice(start, start + SAVE_BATCH);
      status.textContent = interpolate(
        ngettext("Preparing %(count)s photo…", "Preparing %(count)s photos…", batch.length),
        { count: batch.length }, true
      );
      button.disabled = true;
      Promise.all(batch.map(fetchFile)).then(function (files) {
        prepared = files;
        button.disabled = false;
        button.textContent = interpolate(
          ngettext("Save %(count)s photo", "Save %(count)s photos", files.length),
          { count: files.length }, true
        );
        status.textContent = interpolate(
          ngettext(
            "Ready: photo %(first)s of %(count)s.",
            "Ready: photos %(first)s to %(last)s of %(count)s.",
            files.length
          ),
          { first: start + 1, last: start + files.length, count: links.length }, true
        );
      }).catch(function () {
        button.disabled = false;
        status.textContent = gettext("The photos could not be prepared. Use Download on each photo.");
      });
    }

    button.addEventListener("click", function () {
      if (!prepared) {
        links = chosenLinks();
        start = 0;
        prepare();
        return;
      }
      navigator.share({ files: prepared }).then(function () {
        start += prepared.length;
        prepared = null;
        if (start < links.length) {
          prepare();
        } else {
          button.textContent = gettext("Save photos to this phone");
          status.textContent = interpolate(
            ngettext(
              "Your photo is with your phone.", "All %(count)s photos handed to your phone.",
              links.length
            ),
            { count: links.length }, true
          );
        }
      }).catch(function () {
        status.textContent = gettext("Saving was cancelled. Press Save to try again.");
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
  document.querySelectorAll("[data-save-photos]").forEach(offerSaving);
  document.querySelectorAll("[data-selfie-form]").forEach(enhanceSelfieForm);
  var viewer = document.querySelector("[data-viewer]");
  if (viewer) navigateViewer(viewer);
  if (window.parent !== window && document.body.classList.contains("embed")) talkToHostPage();
})();
