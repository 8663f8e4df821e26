// The admin UI's only script besides htmx (served from 'self'; no inline script anywhere).
// 1. Every unsafe htmx request carries the session's CSRF token from <meta name="csrf-token">.
// 2. Buttons with data-copy="ID" copy the text of element ID to the clipboard.
// 3. Elements with data-countdown="ISO time" show the time left, updated every second.

(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    var verb = (e.detail.verb || "get").toLowerCase();
    if (verb !== "get" && verb !== "head") e.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent || "").then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      button.setAttribute("data-copied", "");
      setTimeout(function () {
        button.textContent = label;
        button.removeAttribute("data-copied");
      }, 1500);
    });
  });
  function tick() {
    var nodes = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < nodes.length; i++) {
      var left = Math.max(0, Date.parse(nodes[i].getAttribute("data-countdown")) - Date.now());
      var m = Math.floor(left / 60000),
        s = Math.floor((left % 60000) / 1000);
      nodes[i].textContent = left > 0 ? m + " min " + (s < 10 ? "0" : "") + s + " s" : "expired";
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
})();
