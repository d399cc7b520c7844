// Pan and zoom for canvas boards (compiler/forms/canvases.py draws them at build time).
// Drag (mouse, pen or one finger) pans; the wheel zooms at the pointer (on a board embedded
// in a note, only with Ctrl or ⌘, so that the wheel still scrolls the note); two fingers
// pinch; the buttons zoom and fit the board to its frame. Nothing is fetched.
(function () {
  "use strict";

  var MIN_SCALE = 0.05;
  var MAX_SCALE = 4;
  var DRAG_THRESHOLD = 4; // pixels a press moves before it is a drag, not a click

  function start(container) {
    container.kbStarted = true;
    var viewport = container.querySelector(".kb-canvas-viewport");
    var world = container.querySelector(".kb-canvas-world");
    if (!viewport || !world) return;
    var width = parseFloat(container.getAttribute("data-width")) || 1;
    var height = parseFloat(container.getAttribute("data-height")) || 1;
    var embedded = container.classList.contains("kb-canvas-embed");
    var view = { scale: 1, x: 0, y: 0 };

    function apply() {
      world.style.transform = "translate(" + view.x + "px, " + view.y + "px) scale(" + view.scale + ")";
      container.setAttribute("data-scale", view.scale.toFixed(3));
    }

    function fit() {
      var box = viewport.getBoundingClientRect();
      var scale = Math.min(box.width / width, box.height / height, 1);
      view.scale = Math.max(MIN_SCALE, scale);
      view.x = (box.width - width * view.scale) / 2;
      view.y = (box.height - height * view.scale) / 2;
      apply();
    }

    function zoomAt(factor, clientX, clientY) {
      var box = viewport.getBoundingClientRect();
      var px = clientX - box.left;
      var py = clientY - box.top;
      var scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
      view.x = px - (px - view.x) * (scale / view.scale);
      view.y = py - (py - view.y) * (scale / view.scale);
      view.scale = scale;
      apply();
    }

    function zoomCentre(factor) {
      var box = viewport.getBoundingClientRect();
      zoomAt(factor, box.left + box.width / 2, box.top + box.height / 2);
    }

    viewport.addEventListener("wheel", function (event) {
      if (embedded && !(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX, event.clientY);
    }, { passive: false });

    // A press on a link or an image would start the browser's own drag (and cancel ours).
    viewport.addEventListener("dragstart", function (event) { event.preventDefault(); });

    var pointers = new Map();
    var drag = null;
    var pinch = null;

    viewport.addEventListener("pointerdown", function (event) {
      if (event.button !== undefined && event.button > 0) return;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pointers.size === 1) {
        drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false };
      } else if (pointers.size === 2) {
        var points = Array.from(pointers.values());
        pinch = { distance: Math.hypot(points[0].x - points[1].x, points[0].y - points[1].y) };
        drag = null;
      }
    });

    viewport.addEventListener("pointermove", function (event) {
      if (!pointers.has(event.pointerId)) return;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pinch && pointers.size === 2) {
        var points = Array.from(pointers.values());
        var distance = Math.hypot(points[0].x - points[1].x, points[0].y - points[1].y);
        if (pinch.distance > 0) {
          zoomAt(distance / pinch.distance, (points[0].x + points[1].x) / 2, (points[0].y + points[1].y) / 2);
        }
        pinch.distance = distance;
        return;
      }
      if (!drag || drag.id !== event.pointerId) return;
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      if (!drag.moved) {
        drag.moved = true;
        try {
          viewport.setPointerCapture(event.pointerId); // keep the drag when it leaves the frame
        } catch (error) {
          // a pointer the browser no longer tracks: the drag goes on without capture
        }
        container.classList.add("kb-canvas-dragging");
      }
      view.x += dx;
      view.y += dy;
      drag.x = event.clientX;
      drag.y = event.clientY;
      apply();
    });

    function release(event) {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      if (drag && drag.id === event.pointerId) {
        if (drag.moved) {
          // The click that ends a drag (it comes in the same task as the release, if at
          // all) must not follow a link under the pointer; a later click must.
          var swallow = function (click) {
            click.preventDefault();
            click.stopPropagation();
          };
          viewport.addEventListener("click", swallow, { capture: true, once: true });
          setTimeout(function () {
            viewport.removeEventListener("click", swallow, { capture: true });
            container.classList.remove("kb-canvas-dragging");
          }, 0);
        }
        drag = null;
      }
    }
    viewport.addEventListener("pointerup", release);
    viewport.addEventListener("pointercancel", release);

    function on(selector, action) {
      var button = container.querySelector(selector);
      if (button) button.addEventListener("click", action);
    }
    on(".kb-canvas-zoom-in", function () { zoomCentre(1.25); });
    on(".kb-canvas-zoom-out", function () { zoomCentre(0.8); });
    on(".kb-canvas-fit", fit);

    container.classList.add("kb-canvas-ready");
    fit();
    container.kbCanvas = { fit: fit, zoomAt: zoomAt, view: view };
  }

  function startAll() {
    document.querySelectorAll("[data-kb-canvas]").forEach(function (container) {
      if (!container.kbStarted) start(container);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(startAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
