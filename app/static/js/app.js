/* GoDialog page helpers (no framework; loaded on every page, CSP-safe: no inline code).
 * - [data-copy="<input id>"] buttons copy the input's text and announce it in [data-copy-status].
 * - An error summary gets focus on load, so screen readers read it and keyboard users start there.
 */
(function () {
  "use strict";

  function announce(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function copy(button) {
    var id = button.getAttribute("data-copy");
    var input = document.getElementById(id);
    if (!input) { return; }
    var done = function () {
      var text = button.getAttribute("data-copied-text") || "Copied";
      announce(id, text);
      button.classList.add("is-copied");
      window.setTimeout(function () { button.classList.remove("is-copied"); }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { fallback(input, done); });
    } else {
      fallback(input, done);
    }
  }

  function fallback(input, done) {
    input.focus();
    input.select();
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the text stays selected */ }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (button) { event.preventDefault(); copy(button); }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-copy-source]")) { event.target.select(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
