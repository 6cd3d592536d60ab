// Buttons that need a script (copy, print, save as a file) show only where scripts run; the page
// works without them. Loaded from the site itself: the content security policy allows no inline script.
(function () {
  "use strict";

  function textOf(selector) {
    var element = document.querySelector(selector);
    if (!element) { return ""; }
    var items = element.querySelectorAll("li");
    if (items.length) {
      return Array.prototype.map.call(items, function (item) { return item.textContent.trim(); }).join("\n") + "\n";
    }
    return element.textContent;
  }

  function say(button, words) {
    var status = button.parentNode.querySelector("[data-action-status]");
    if (status) { status.textContent = words; }
  }

  var actions = {
    copy: function (button) {
      var text = textOf(button.getAttribute("data-copy")).replace(/\s+/g, "");
      navigator.clipboard.writeText(text).then(
        function () { say(button, "Copied."); },
        function () { say(button, "Could not copy: select the key and copy it by hand."); });
    },
    print: function () { window.print(); },
    download: function (button) {
      var blob = new Blob([textOf(button.getAttribute("data-download"))], {type: "text/plain"});
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = button.getAttribute("data-filename") || "schoolpeers.txt";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    }
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-action]"), function (button) {
    var action = actions[button.getAttribute("data-action")];
    if (!action || (button.getAttribute("data-action") === "copy" && !navigator.clipboard)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { action(button); });
  });
}());
