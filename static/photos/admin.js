"use strict";
// The event admin's enhancements (photos/admin.py). Without them every field still shows
// and works: both providers' fields, a colour picker checked when saved, selectable code.
(function () {
  function showOnlyTheChosenProvidersFields() {
    const select = document.getElementById("id_provider");
    const fieldsets = document.querySelectorAll("fieldset.provider-fields");
    if (!select) return;
    const update = () => {
      for (const fieldset of fieldsets) {
        fieldset.hidden = !fieldset.classList.contains(`provider-${select.value}`);
      }
    };
    select.addEventListener("change", update);
    update();
  }

  // WCAG 2's relative luminance and contrast ratio, as photos/colours.py computes them.
  function luminance(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrastRatio(first, second) {
    const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
    return (lighter + 0.05) / (darker + 0.05);
  }

  function checkTheAccentsContrastLive() {
    const input = document.getElementById("id_accent_colour");
    if (!input || !input.dataset.contrastBackground) return;
    const background = input.dataset.contrastBackground;
    const minimum = Number(input.dataset.contrastMinimum);
    const note = document.createElement("p");
    note.className = "help contrast-check"; // aligned as the admin aligns help
    note.setAttribute("role", "status");
    (input.closest(".flex-container") || input).after(note);
    const update = () => {
      if (!/^#[0-9a-f]{6}$/i.test(input.value)) {
        note.textContent = "";
        return;
      }
      // Rounded down, as the server's message does: 4.46 must not read as 4.5.
      const ratio = Math.floor(contrastRatio(input.value, background) * 10) / 10;
      const low = ratio < minimum;
      note.classList.toggle("contrast-low", low);
      note.textContent = low
        ? `Warning: only ${ratio.toFixed(1)}:1 against the runner pages' background, ` +
          `below ${minimum.toFixed(1)}:1. Runners will hardly see it: pick a darker shade.`
        : `${ratio.toFixed(1)}:1 against the runner pages' background: readable.`;
    };
    input.addEventListener("input", update);
    update();
  }

  function offerCopyButtons() {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      const source = document.getElementById(button.dataset.copy);
      const status = button.nextElementSibling;
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(source.value);
          status.textContent = "Copied.";
        } catch {
          // No clipboard access (plain http, or refused): the organiser copies by hand.
          source.focus();
          source.select();
          status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    showOnlyTheChosenProvidersFields();
    checkTheAccentsContrastLive();
    offerCopyButtons();
  });
})();
