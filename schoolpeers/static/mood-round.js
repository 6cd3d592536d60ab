// The mood round's − and + buttons beside each face's count: they show only where scripts run, and
// the counts are plain number inputs without them. Loaded from the site itself: the content security
// policy allows no inline script.
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("button[data-step][data-for]"), function (button) {
    var input = document.getElementById(button.getAttribute("data-for"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = parseInt(input.value, 10);
      value = (isNaN(value) ? 0 : value) + parseInt(button.getAttribute("data-step"), 10);
      input.value = String(Math.max(0, value));
      input.dispatchEvent(new Event("change", {bubbles: true}));
    });
  });
}());
