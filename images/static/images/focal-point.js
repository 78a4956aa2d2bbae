// The focal-point widget (images/widgets.py): a click on the picture, or the arrow keys on
// its marker, set the two numbers the form posts. No inline script: the admin's CSP holds.
(function () {
  "use strict";
  function setUp(root) {
    var frame = root.querySelector(".focal-point__frame");
    var marker = root.querySelector("[data-focal-marker]");
    var down = root.querySelector("input[name$='focal_y']");
    var across = document.querySelector("input[name='" + down.name.replace(/focal_y$/, "focal_x") + "']");
    var mirror = root.querySelector("[data-focal-x-mirror]");
    if (!across) return;
    mirror.value = across.value;
    mirror.addEventListener("input", function () { across.value = mirror.value; place(); });
    down.addEventListener("input", place);
    function clamp(value) { return Math.min(1, Math.max(0, value)); }
    function set(x, y) {
      across.value = mirror.value = clamp(x).toFixed(3);
      down.value = clamp(y).toFixed(3);
      place();
    }
    function place() {
      if (!marker) return;
      var x = clamp(parseFloat(across.value) || 0), y = clamp(parseFloat(down.value) || 0);
      marker.style.left = (x * 100) + "%";
      marker.style.top = (y * 100) + "%";
      marker.setAttribute("aria-valuetext", Math.round(x * 100) + "% across, " + Math.round(y * 100) + "% down");
      marker.setAttribute("aria-valuenow", Math.round(x * 100));
    }
    if (frame) {
      frame.addEventListener("click", function (event) {
        var box = frame.getBoundingClientRect();
        set((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
        marker.focus();
      });
      marker.addEventListener("keydown", function (event) {
        var step = event.shiftKey ? 0.1 : 0.01;
        var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        var move = moves[event.key];
        if (!move) return;
        event.preventDefault();
        set((parseFloat(across.value) || 0) + move[0], (parseFloat(down.value) || 0) + move[1]);
      });
    }
    place();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-focal-point]").forEach(setUp);
  });
})();
