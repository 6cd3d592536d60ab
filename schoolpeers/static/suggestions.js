// Beside a check-in form, the library's ideas for the topics ticked on it (and the general ones, which
// suit every topic). Without scripts every idea for the mentee's grade stays listed.
(function () {
  "use strict";

  var list = document.querySelector(".suggestions");
  if (!list) { return; }
  var boxes = document.querySelectorAll("input[name='topics']");
  var items = list.querySelectorAll("[data-topics]");

  function update() {
    var ticked = {};
    Array.prototype.forEach.call(boxes, function (box) { if (box.checked) { ticked[box.value] = true; } });
    var shown = 0;
    Array.prototype.forEach.call(items, function (item) {
      var topics = item.getAttribute("data-topics").split(" ").filter(Boolean);
      var fits = topics.length === 0 || topics.some(function (id) { return ticked[id]; });
      item.hidden = !fits;
      shown += fits ? 1 : 0;
    });
    list.hidden = shown === 0;
  }

  Array.prototype.forEach.call(boxes, function (box) { box.addEventListener("change", update); });
  update();
}());
