/* The concept graph in the browser: the global graph page and the local graph of every note.
 *
 * Positions are computed when the site is built (compiler/layout.py); this script only draws
 * them with Sigma (WebGL) on a graphology graph, and handles hover, click, search, filters.
 * The global graph reads _kb/graph.json (beside this script); a local graph reads its first
 * level from its own `data-kb-local` attribute (the neighbours in ring order, no coordinates)
 * and fetches graph.json only for the second.
 * Titles, folders and tags are data: drawn on the canvas or set as textContent, never as HTML.
 *
 * window.kbGraph is a small read-only view of the graph on the page, for tests and
 * benchmarks; performance.mark("kb-graph-drawn") is set when the graph is first drawn.
 */
(function () {
  "use strict";

  var SCRIPT = document.currentScript ? document.currentScript.src : "";
  var PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
                 "#edc948", "#ff9da7", "#9c755f", "#2f8fce", "#8cd17d", "#d37295"];
  var OTHER = "#a0a4a8";
  var GHOST = "#c9c9c9";
  var DIM = "rgba(160,164,168,0.25)";
  var CURRENT = "#e8453c";
  var views = [];
  // Past this many edges, a moving camera shows a picture of the edges instead of drawing
  // them (see EdgePicture); the page may lower it before this script runs (tests do).
  var PICTURE_EDGES = typeof window.KB_GRAPH_PICTURE_EDGES === "number" ? window.KB_GRAPH_PICTURE_EDGES : 4000;
  // The camera counts as still once it has not moved for this long.
  var SETTLE_MS = typeof window.KB_GRAPH_SETTLE_MS === "number" ? window.KB_GRAPH_SETTLE_MS : 160;

  function key(text) {
    return String(text || "").normalize("NFC").toLowerCase();
  }

  function dataUrl() {
    return new URL("graph.json", SCRIPT || location.href).href;
  }

  // MkDocs wrote the section's link as the site was built: `.html` there means the site
  // does not use directory URLs.
  function urlMaker(section) {
    var link = section && section.querySelector("a.kb-graph-link");
    var htmlPages = !!link && /\.html$/.test(link.getAttribute("href") || "");
    var root = new URL("..", SCRIPT || location.href);
    return function (address) {
      var index = address === "" || address.slice(-1) === "/";
      var path = address.split("/").map(encodeURIComponent).join("/");
      if (htmlPages) path += index ? "index.html" : ".html";
      else if (!index) path += "/";
      return new URL(path, root).href;
    };
  }

  function nodeKey(nodes, i) {
    return nodes.ghost[i] ? "ghost:" + key(nodes.title[i]) : "note:" + nodes.url[i];
  }

  function topFolders(data) {
    // Top-level folders, numbered by how many notes they hold (most first), for colours.
    var counts = {};
    data.nodes.folder.forEach(function (f, i) {
      if (data.nodes.ghost[i]) return;
      var top = data.folders[f].split("/")[0];
      counts[top] = (counts[top] || 0) + 1;
    });
    var order = Object.keys(counts).sort(function (a, b) {
      return counts[b] - counts[a] || (a < b ? -1 : a > b ? 1 : 0);
    });
    var number = {};
    order.forEach(function (name, i) { number[name] = i; });
    return number;
  }

  /* A local graph sizes its nodes by importance band (0: the top 1% of the notes, ...; see
   * compiler/analysis.py BANDS), the global graph by PageRank. */
  var BAND_SIZES = [14, 11, 9, 7.5, 6, 4.5];
  var GHOST_SIZE = 2;

  function addNodes(graph, data, local) {
    var nodes = data.nodes;
    var tops = topFolders(data);
    var keys = [];
    for (var i = 0; i < nodes.title.length; i++) {
      var k = nodeKey(nodes, i);
      keys.push(k);
      if (graph.hasNode(k)) continue;
      var folder = nodes.ghost[i] || nodes.folder[i] < 0 ? "" : data.folders[nodes.folder[i]];
      var size = !local ? nodes.size[i] : nodes.ghost[i] ? GHOST_SIZE
        : BAND_SIZES[Math.min(nodes.band[i], BAND_SIZES.length - 1)];
      graph.addNode(k, {
        x: nodes.x ? nodes.x[i] : 0, y: nodes.y ? nodes.y[i] : 0, size: size,
        label: nodes.title[i], title: nodes.title[i], url: nodes.url[i], ghost: !!nodes.ghost[i],
        orphan: !!(nodes.orphan && nodes.orphan[i]), community: nodes.community[i],
        folder: folder, top: nodes.ghost[i] ? -1 : tops[folder.split("/")[0]],
        tags: nodes.tags ? nodes.tags[i] : [],
      });
    }
    for (var e = 0; e + 1 < data.edges.length; e += 2) {
      var a = keys[data.edges[e]], b = keys[data.edges[e + 1]];
      if (a !== b && !graph.hasEdge(a, b)) graph.addEdge(a, b);
    }
    return keys;
  }

  /* The page's theme colours as Sigma and the canvas take them. Material writes them as hsla()
   * with transparency, which Sigma's WebGL colour parser reads as black (the dark theme's black
   * edges): each is composited over the background into an opaque #rrggbb. */
  var EDGE_SHARE = 0.38; // edges: this much of the text colour over the background
  var probe = null;

  function rgba(colour, fallback) {
    probe = probe || document.createElement("canvas").getContext("2d");
    probe.fillStyle = fallback;
    probe.fillStyle = colour || fallback; // a value the canvas cannot read leaves the fallback
    var text = probe.fillStyle;
    if (text.charAt(0) === "#") {
      return [parseInt(text.slice(1, 3), 16), parseInt(text.slice(3, 5), 16),
              parseInt(text.slice(5, 7), 16), 1];
    }
    var parts = text.replace(/[^\d.,]/g, "").split(",").map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  }

  function over(top, share, bottom) {
    return "#" + [0, 1, 2].map(function (i) {
      var value = Math.round(top[i] * share + bottom[i] * (1 - share));
      return (value < 16 ? "0" : "") + value.toString(16);
    }).join("");
  }

  function colours(element) {
    var style = getComputedStyle(element);
    var background = rgba(style.getPropertyValue("--md-default-bg-color").trim(), "#ffffff");
    background[3] = 1;
    var text = rgba(style.getPropertyValue("--md-default-fg-color").trim() || style.color, "#222222");
    var opaque = over(background, 1, background);
    return {
      text: over(text, text[3], background),
      background: opaque,
      edge: over(text, EDGE_SHARE * text[3], background),
      dark: (background[0] + background[1] + background[2]) / 3 < 128,
      font: getComputedStyle(document.body).fontFamily || "sans-serif",
    };
  }

  function drawHover(view) {
    // The hovered node's title in a box of the page's own colours (light or dark theme), on the
    // side where its label was placed (the left one near the right edge).
    return function (context, data, settings) {
      var palette = view.palette;
      var size = settings.labelSize;
      context.font = "600 " + size + "px " + settings.labelFont;
      var label = data.label || "";
      var width = context.measureText(label).width;
      var x = data.x, y = data.y, r = data.size;
      var left = view.labelSide[data.key] === "left"
        || x + r + width + 10 > view.renderer.getDimensions().width;
      var boxLeft = left ? x - r - width - 10 : x;
      context.save();
      context.fillStyle = palette.background;
      context.shadowColor = "rgba(0,0,0,0.35)";
      context.shadowBlur = 8;
      context.beginPath();
      context.arc(x, y, r + 2, 0, 2 * Math.PI);
      if (label) context.rect(boxLeft, y - size / 2 - 4, r + width + 10, size + 8);
      context.fill();
      context.restore();
      context.fillStyle = data.color;
      context.beginPath();
      context.arc(x, y, r, 0, 2 * Math.PI);
      context.fill();
      if (label) {
        context.fillStyle = palette.text;
        context.textBaseline = "alphabetic";
        context.fillText(label, left ? x - r - 5 - width : x + r + 5, y + size / 3);
      }
    };
  }

  /* Labels, placed so that none overlaps another (Sigma's own label grid lets long titles run
   * into each other). Every frame, the nodes are taken in order of importance (the current
   * note, the highlighted ones, then by size), and each label goes to the right of its node, or
   * its left, below or above, wherever it overlaps no label placed before nor a labelled node
   * and stays inside the canvas; a label with no such place is left out. Node sizes grow as the camera zooms in
   * (and nodes move apart), so more labels find room and pass the size threshold. */
  var LABEL_SIZE = 13;
  var LABEL_PAD = 2; // around the text: its halo, and air between two labels
  var LABEL_THRESHOLD = { global: 4.5, local: 0 }; // rendered node radius, CSS pixels
  var CELL = 64; // the placed labels' grid, CSS pixels
  // At most this many nodes on screen are tried per frame, most important first: a dense view
  // of a large graph has room for a few hundred labels, and trying thousands would cost the
  // frame (about 13 µs each under software rendering).
  var LABELS_TRIED = 700;

  function Placed() {
    this.cells = new Map(); // cell number -> the boxes placed over that cell
    this.boxes = [];
  }

  Placed.prototype.free = function (box) {
    var x0 = Math.floor(box.left / CELL), x1 = Math.floor(box.right / CELL);
    var y0 = Math.floor(box.top / CELL), y1 = Math.floor(box.bottom / CELL);
    for (var cy = y0; cy <= y1; cy++) {
      for (var cx = x0; cx <= x1; cx++) {
        var here = this.cells.get(cy * 4096 + cx);
        if (here === undefined) continue;
        for (var i = 0; i < here.length; i++) {
          var other = here[i];
          if (box.left < other.right && other.left < box.right
              && box.top < other.bottom && other.top < box.bottom) return false;
        }
      }
    }
    return true;
  };

  Placed.prototype.add = function (box) {
    this.boxes.push(box);
    var x0 = Math.floor(box.left / CELL), x1 = Math.floor(box.right / CELL);
    var y0 = Math.floor(box.top / CELL), y1 = Math.floor(box.bottom / CELL);
    for (var cy = y0; cy <= y1; cy++) {
      for (var cx = x0; cx <= x1; cx++) {
        var key = cy * 4096 + cx, here = this.cells.get(key);
        if (here === undefined) this.cells.set(key, [box]);
        else here.push(box);
      }
    }
  };

  function labelBoxes(x, y, radius, width, hovered) {
    var half = LABEL_SIZE * 0.65 + LABEL_PAD, w = width + 2 * LABEL_PAD, gap = radius + 3;
    if (hovered) {
      // Sigma's hover layer draws this one bold, in a box from the node's centre (drawHover).
      var reach = radius + width * 1.1 + 10;
      return [
        { side: "right", left: x, right: x + reach, top: y - half - 2, bottom: y + half + 2 },
        { side: "left", left: x - reach, right: x, top: y - half - 2, bottom: y + half + 2 },
      ];
    }
    return [
      { side: "right", left: x + gap, right: x + gap + w, top: y - half, bottom: y + half },
      { side: "left", left: x - gap - w, right: x - gap, top: y - half, bottom: y + half },
      { side: "below", left: x - w / 2, right: x + w / 2, top: y + gap, bottom: y + gap + 2 * half },
      { side: "above", left: x - w / 2, right: x + w / 2, top: y - gap - 2 * half, bottom: y - gap },
    ];
  }

  View.prototype.labelOrder = function () {
    if (this.byImportance === null) {
      var graph = this.graph;
      this.byImportance = graph.nodes().sort(function (a, b) {
        return graph.getNodeAttribute(b, "size") - graph.getNodeAttribute(a, "size") || (a < b ? -1 : 1);
      });
    }
    var first = [];
    if (this.current !== null) first.push(this.current);
    if (this.focus !== null) first.push(this.focus);
    var self = this;
    this.highlighted.forEach(function (node) { if (node !== self.focus) first.push(node); });
    // Then the notes the legend is named after, so that its names are found on the graph.
    if (this.focus === null) first.push.apply(first, this.centres);
    return first;
  };

  View.prototype.drawLabels = function () {
    var renderer = this.renderer, palette = this.palette, self = this;
    var context = renderer.getCanvases().labels.getContext("2d");
    var view = renderer.getDimensions();
    var threshold = LABEL_THRESHOLD[this.kind];
    var placed = new Placed(), seen = new Set(), drawn = [], tried = 0;
    var font = LABEL_SIZE + "px " + palette.font;
    if (this.measuredFont !== font) {
      this.widths = {};
      this.measuredFont = font;
    }
    context.save();
    context.font = font;
    context.textBaseline = "middle";
    context.lineJoin = "round";
    context.lineWidth = 3;
    context.strokeStyle = palette.background;
    context.fillStyle = palette.text;
    this.labelSide = {};
    // The view in the framed graph's coordinates, a node's size beyond it: most nodes of a
    // zoomed-in large graph are outside it, and cost one comparison each.
    var corner = renderer.viewportToFramedGraph({ x: 0, y: 0 });
    var opposite = renderer.viewportToFramedGraph({ x: view.width, y: view.height });
    var margin = Math.abs(opposite.x - corner.x) / view.width * 40;
    var minX = Math.min(corner.x, opposite.x) - margin, maxX = Math.max(corner.x, opposite.x) + margin;
    var minY = Math.min(corner.y, opposite.y) - margin, maxY = Math.max(corner.y, opposite.y) + margin;
    var scale = renderer.scaleSize(1);
    // Sigma's own display data (positions and reduced attributes) read in place: its public
    // getNodeDisplayData copies each one, thousands of copies a frame.
    var cache = renderer.nodeDataCache;
    function consider(node, preferred) {
      if (preferred) seen.add(node);
      else if (seen.size > 0 && seen.has(node)) return true; // placed first, as preferred
      var shown = cache ? cache[node] : renderer.getNodeDisplayData(node);
      if (!shown || shown.hidden) return true;
      var radius = shown.size * scale;
      if (!preferred && radius < threshold) return false; // the rest are smaller still
      if (!shown.label || shown.x < minX || shown.x > maxX || shown.y < minY || shown.y > maxY) return true;
      var at = renderer.framedGraphToViewport(shown);
      if (at.x < -radius || at.y < -radius || at.x > view.width + radius || at.y > view.height + radius) {
        return true;
      }
      if (!preferred && ++tried > LABELS_TRIED) return false;
      var width = self.widths[shown.label];
      if (width === undefined) width = self.widths[shown.label] = context.measureText(shown.label).width;
      var hovered = node === self.focus && shown.highlighted;
      var boxes = labelBoxes(at.x, at.y, radius, width, hovered);
      for (var i = 0; i < boxes.length; i++) {
        var box = boxes[i];
        if (box.left < 0 || box.top < 0 || box.right > view.width || box.bottom > view.height) continue;
        if (!placed.free(box)) continue;
        placed.add(box);
        // A labelled node stays in sight: no later label covers it.
        placed.add({ left: at.x - radius, right: at.x + radius, top: at.y - radius, bottom: at.y + radius });
        self.labelSide[node] = box.side;
        box.node = node;
        box.label = shown.label;
        drawn.push(box);
        if (!hovered) {
          var textX = box.left + LABEL_PAD, textY = (box.top + box.bottom) / 2;
          context.strokeText(shown.label, textX, textY);
          context.fillText(shown.label, textX, textY);
        }
        break;
      }
      return true;
    }
    this.labelOrder().forEach(function (node) { if (!seen.has(node)) consider(node, true); });
    for (var i = 0; i < this.byImportance.length; i++) {
      if (!consider(this.byImportance[i], false)) break;
    }
    context.restore();
    this.placedLabels = drawn;
  };

  /* Edges while the camera moves.
   *
   * Under software WebGL (no GPU), drawing thousands of edges takes most of a frame, while the
   * nodes alone draw several times faster. So while the camera moves, the edges are not drawn:
   * the picture of them taken at the last still frame is moved and scaled with the camera (a
   * CSS transform, done by the compositor), and they are drawn again once the camera stops.
   * Nodes, labels and the picking layer (what is under the pointer) are drawn on every frame.
   * When what the edges look like changes while moving (a hover, a search, a filter, a resized
   * view), that frame draws them and the picture is taken again. */
  function EdgePicture(renderer) {
    var self = this;
    this.renderer = renderer;
    this.edges = renderer.getCanvases().edges;
    this.picture = document.createElement("canvas");
    this.picture.className = "kb-graph-edge-picture";
    this.picture.setAttribute("aria-hidden", "true");
    this.edges.parentNode.insertBefore(this.picture, this.edges.nextSibling);
    this.moving = false;
    this.stale = true; // the edges changed since the picture was taken
    this.taken = null; // the camera state the picture was taken at
    this.timer = null;
    var camera = renderer.getCamera();
    function moved() {
      self.moving = true;
      clearTimeout(self.timer);
      self.timer = setTimeout(function () {
        self.moving = false;
        if (!(self.onSettle && self.onSettle())) renderer.scheduleRender();
      }, SETTLE_MS);
    }
    function changed() { self.stale = true; }
    camera.on("updated", moved);
    renderer.on("afterProcess", changed);
    renderer.on("resize", changed);
    renderer.on("afterRender", function () { self.afterRender(); });
    renderer.on("kill", function () {
      clearTimeout(self.timer);
      camera.removeListener("updated", moved);
    });
    renderer.scheduleRender(); // a still frame, to take the first picture from
  }

  // Whether this frame leaves the edges to the picture.
  EdgePicture.prototype.standsIn = function () {
    return this.moving && !this.stale;
  };

  EdgePicture.prototype.afterRender = function () {
    if (this.standsIn()) {
      this.picture.style.transform = this.transform(this.taken, this.renderer.getCamera().getState());
      this.picture.style.visibility = "visible";
    } else {
      this.take();
    }
  };

  // Called in the task that drew the edges: their WebGL drawing buffer is still readable.
  EdgePicture.prototype.take = function () {
    var picture = this.picture, edges = this.edges;
    if (picture.width !== edges.width || picture.height !== edges.height) {
      picture.width = edges.width;
      picture.height = edges.height;
    }
    picture.style.width = edges.style.width;
    picture.style.height = edges.style.height;
    picture.style.visibility = "hidden";
    var context = picture.getContext("2d");
    context.clearRect(0, 0, picture.width, picture.height);
    context.drawImage(edges, 0, 0);
    this.taken = this.renderer.getCamera().getState();
    this.stale = false;
  };

  // The CSS transform that moves what was drawn at camera state `from` to where the same
  // points are drawn at `to`: an affine map, found from three points of the viewport.
  EdgePicture.prototype.transform = function (from, to) {
    var renderer = this.renderer;
    var p = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }].map(function (point) {
      return renderer.framedGraphToViewport(renderer.viewportToFramedGraph(point, { cameraState: from }),
                                            { cameraState: to });
    });
    return "matrix(" + [p[1].x - p[0].x, p[1].y - p[0].y, p[2].x - p[0].x, p[2].y - p[0].y,
                        p[0].x, p[0].y].join(",") + ")";
  };

  function moving(view) {
    return !!(view.edgePicture && view.edgePicture.moving);
  }

  // Sigma's one-pixel GL lines, left to the edge picture while it stands in for them.
  function edgeLines(view) {
    return class extends Sigma.rendering.EdgeLineProgram {
      render(params) {
        if (!(view.edgePicture && view.edgePicture.standsIn())) super.render(params);
      }
    };
  }

  function message(container, text) {
    var p = document.createElement("p");
    p.className = "kb-graph-message";
    p.textContent = text;
    container.appendChild(p);
  }

  /* One drawn graph: the renderer, what is hidden, what is highlighted. */
  function View(container, kind, graph, options) {
    var self = this;
    var palette = colours(container);
    this.palette = palette;
    this.container = container;
    this.kind = kind;
    this.graph = graph;
    this.url = options.url;
    this.current = options.current || null;
    this.filter = { colour: "community", folder: "", tag: -1, hideGhosts: false, hideOrphans: false };
    this.hidden = new Set();
    this.focus = null; // the hovered node, else the one found by search
    this.selected = null;
    this.group = null; // the legend entry picked: its nodes stand out, the others fade
    this.highlighted = new Set();
    this.renders = 0;
    this.byImportance = null; // every node, largest first: the order labels are placed in
    this.labelSide = {};
    this.placedLabels = [];
    this.colouredCommunities = options.colouredCommunities === undefined ? PALETTE.length
      : options.colouredCommunities;
    this.centres = options.centres || []; // the legend's communities' centre notes
    ["nodeAdded", "nodeDropped", "cleared", "nodeAttributesUpdated"].forEach(function (event) {
      graph.on(event, function () { self.byImportance = null; });
    });
    this.renderer = new Sigma(graph, container, {
      allowInvalidContainer: true,
      zIndex: true,
      labelFont: palette.font,
      labelColor: { color: palette.text },
      labelSize: LABEL_SIZE,
      renderLabels: false, // drawLabels places them instead, after each frame
      defaultEdgeColor: palette.edge,
      // One-pixel GL lines rather than Sigma's default quads: a fraction of the fill cost,
      // which decides the frame rate of a large graph under software WebGL.
      defaultEdgeType: "line",
      edgeProgramClasses: { line: edgeLines(this) },
      defaultNodeType: "point",
      nodeProgramClasses: { point: Sigma.rendering.NodePointProgram },
      defaultDrawNodeHover: drawHover(this),
      minCameraRatio: 0.02,
      maxCameraRatio: 4,
      nodeReducer: function (node, data) { return self.reduceNode(node, data); },
      edgeReducer: function (edge, data) { return self.reduceEdge(edge, data); },
    });
    this.renderer.on("afterRender", function () { self.drawLabels(); });
    this.drawLabels(); // the first frame, drawn in the constructor, before the listener
    this.watchScheme();
    // Sigma draws once, synchronously, in its constructor; later draws follow changes.
    this.renders = 1;
    if (kind === "global") performance.mark("kb-graph-drawn");
    this.renderer.on("afterRender", function () { self.renders += 1; });
    this.edgePicture = graph.size > PICTURE_EDGES ? new EdgePicture(this.renderer) : null;
    if (this.edgePicture) this.edgePicture.onSettle = function () { return self.hoverSettled(); };
    this.hovered = null;
    this.renderer.on("enterNode", function (event) {
      self.hover(event.node);
      container.style.cursor = graph.getNodeAttribute(event.node, "url") !== null ? "pointer" : "";
    });
    this.renderer.on("leaveNode", function () {
      self.hover(null);
      container.style.cursor = "";
    });
    this.renderer.on("clickNode", function (event) {
      var address = graph.getNodeAttribute(event.node, "url");
      if (address !== null && address !== undefined) location.assign(self.url(address));
    });
  }

  // Material switches light and dark by an attribute of the body (its palette toggle, or the
  // system's preference): the graph takes the new colours at once.
  View.prototype.watchScheme = function () {
    var self = this;
    this.schemeWatch = new MutationObserver(function () { self.recolour(); });
    this.schemeWatch.observe(document.body, {
      attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary"],
    });
    // A web font that arrives after the first frame changes every title's width.
    function fontsLoaded() {
      self.measuredFont = null;
      self.renderer.refresh({ skipIndexation: true });
    }
    if (document.fonts) document.fonts.addEventListener("loadingdone", fontsLoaded);
    this.renderer.on("kill", function () {
      self.schemeWatch.disconnect();
      if (document.fonts) document.fonts.removeEventListener("loadingdone", fontsLoaded);
    });
  };

  View.prototype.recolour = function () {
    var palette = colours(this.container);
    this.palette = palette;
    this.renderer.setSetting("labelColor", { color: palette.text });
    this.renderer.setSetting("defaultEdgeColor", palette.edge);
    this.renderer.refresh();
  };

  // How many communities (or folders) have a colour of their own: a community of one note
  // (an orphan) is drawn in the colour of the others, as the legend lists it.
  View.prototype.paletted = function () {
    return this.filter.colour === "community" ? this.colouredCommunities : PALETTE.length;
  };

  View.prototype.numberOf = function (data) {
    return this.filter.colour === "folder" ? data.top : data.community;
  };

  View.prototype.colourOf = function (data) {
    if (data.ghost) return GHOST;
    var number = this.numberOf(data);
    return number >= 0 && number < this.paletted() ? PALETTE[number] : OTHER;
  };

  // Sigma hands the reducers a copy of the attributes, theirs to change: no second copy, which
  // at thousands of nodes and edges is most of a redraw's JavaScript.
  View.prototype.reduceNode = function (node, shown) {
    if (this.hidden.has(node)) {
      shown.hidden = true;
      return shown;
    }
    shown.color = this.colourOf(shown);
    if (this.group !== null && this.focus === null && !this.inGroup(shown)) {
      shown.color = DIM;
      shown.label = "";
      shown.zIndex = 0;
    }
    if (node === this.current) {
      shown.color = CURRENT;
      shown.forceLabel = true;
      shown.zIndex = 3;
    }
    if (this.focus !== null) {
      if (this.highlighted.has(node)) {
        shown.forceLabel = true;
        shown.zIndex = 2;
        if (node === this.focus) shown.highlighted = true;
      } else {
        shown.color = DIM;
        shown.label = "";
        shown.zIndex = 0;
      }
    }
    return shown;
  };

  // Whether a node belongs to the legend entry picked (an entry past the palette: every node
  // drawn in the colour of the others).
  View.prototype.inGroup = function (data) {
    if (data.ghost) return false;
    var number = this.numberOf(data);
    var coloured = this.paletted();
    return this.group < coloured ? number === this.group : number >= coloured || number < 0;
  };

  View.prototype.reduceEdge = function (edge, shown) {
    if (this.focus === null && this.hidden.size === 0 && this.group === null) return shown;
    var ends = this.graph.extremities(edge);
    if (this.hidden.has(ends[0]) || this.hidden.has(ends[1])) {
      shown.hidden = true;
    } else if (this.focus !== null) {
      if (ends[0] === this.focus || ends[1] === this.focus) {
        shown.color = this.colourOf(this.graph.getNodeAttributes(this.focus));
        shown.size = 2;
        shown.zIndex = 1;
      } else {
        shown.hidden = true;
      }
    } else if (this.group !== null) {
      var graph = this.graph;
      if (!this.inGroup(graph.getNodeAttributes(ends[0])) || !this.inGroup(graph.getNodeAttributes(ends[1]))) {
        shown.hidden = true;
      }
    }
    return shown;
  };

  // Nodes pass under a still pointer while the camera moves; highlighting each would redraw
  // the whole graph every time, so the highlight follows the pointer once the camera stops.
  View.prototype.hover = function (node) {
    this.hovered = node;
    if (!moving(this)) this.setFocus(node !== null ? node : this.selected);
  };

  // True if the highlight changed, and with it the graph was drawn.
  View.prototype.hoverSettled = function () {
    var wanted = this.hovered !== null ? this.hovered : this.selected;
    if (wanted === this.focus) return false;
    this.setFocus(wanted);
    return true;
  };

  View.prototype.setFocus = function (node) {
    var self = this;
    this.focus = node === undefined ? null : node;
    this.highlighted = new Set();
    if (this.focus !== null) {
      this.highlighted.add(this.focus);
      this.graph.forEachNeighbor(this.focus, function (other) {
        if (!self.hidden.has(other)) self.highlighted.add(other);
      });
    }
    this.renderer.refresh({ skipIndexation: true });
  };

  View.prototype.applyFilter = function () {
    var f = this.filter, hidden = new Set(), folder = f.folder;
    this.graph.forEachNode(function (node, data) {
      if ((f.hideGhosts && data.ghost) || (f.hideOrphans && data.orphan)
          || (folder && (data.ghost || (data.folder !== folder && data.folder.indexOf(folder + "/") !== 0)))
          || (f.tag >= 0 && data.tags.indexOf(f.tag) < 0)) {
        hidden.add(node);
      }
    });
    this.hidden = hidden;
    if (this.selected !== null && hidden.has(this.selected)) this.selected = null;
    this.setFocus(this.selected);
  };

  // The found node in the middle, zoomed so that its neighbours are in view too (with room for
  // their labels), within the camera's limits.
  var FIND_MARGIN = 0.2; // of the view's width and height, kept free on each side
  var LONELY_RATIO = 0.25; // a node with no neighbours: this zoom
  View.prototype.select = function (node) {
    this.selected = node;
    this.setFocus(node);
    var renderer = this.renderer, camera = renderer.getCamera();
    var centre = renderer.getNodeDisplayData(node);
    var view = renderer.getDimensions(), here = renderer.framedGraphToViewport(centre);
    var reach = 0; // how far the neighbours are, as a share of the room around the centre
    this.highlighted.forEach(function (other) {
      var at = renderer.framedGraphToViewport(renderer.getNodeDisplayData(other));
      reach = Math.max(reach, Math.abs(at.x - here.x) / (view.width * (0.5 - FIND_MARGIN)),
                       Math.abs(at.y - here.y) / (view.height * (0.5 - FIND_MARGIN)));
    });
    var ratio = reach > 0 ? camera.ratio * reach : Math.min(camera.ratio, LONELY_RATIO);
    ratio = Math.max(renderer.getSetting("minCameraRatio"), Math.min(ratio, renderer.getSetting("maxCameraRatio")));
    return camera.animate({ x: centre.x, y: centre.y, ratio: ratio }, { duration: 300 });
  };

  View.prototype.find = function (query) {
    // Notes whose title holds the query (NFC, any case): exact first, then prefix, then larger.
    var q = key(query).trim(), found = [], self = this;
    if (!q) return found;
    this.graph.forEachNode(function (node, data) {
      if (self.hidden.has(node)) return;
      var title = key(data.title), at = title.indexOf(q);
      if (at >= 0) found.push({ node: node, rank: title === q ? 0 : at === 0 ? 1 : 2, size: data.size, title: data.title });
    });
    found.sort(function (a, b) {
      return a.rank - b.rank || b.size - a.size || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
    });
    return found;
  };

  /* The read-only hook for tests and benchmarks. */
  View.prototype.hook = function () {
    var self = this, graph = this.graph;
    function nodeByTitle(title) {
      var found = null;
      graph.forEachNode(function (node, data) {
        if (found === null && data.title === title) found = node;
      });
      return found;
    }
    function titles(nodes) {
      return Array.from(nodes, function (n) { return graph.getNodeAttribute(n, "title"); }).sort();
    }
    return {
      kind: self.kind,
      get ready() { return self.renders > 0; },
      get renders() { return self.renders; },
      nodeCount: function () { return graph.order - self.hidden.size; },
      edgeCount: function () {
        var count = 0;
        graph.forEachEdge(function (edge, data, a, b) {
          if (!self.hidden.has(a) && !self.hidden.has(b)) count += 1;
        });
        return count;
      },
      titles: function () {
        return titles(graph.filterNodes(function (n) { return !self.hidden.has(n); }));
      },
      ghosts: function () {
        return titles(graph.filterNodes(function (n, d) { return d.ghost && !self.hidden.has(n); }));
      },
      current: function () { return self.current && graph.getNodeAttribute(self.current, "title"); },
      focus: function () { return self.focus && graph.getNodeAttribute(self.focus, "title"); },
      highlighted: function () { return titles(self.highlighted); },
      camera: function () { return self.renderer.getCamera().getState(); },
      // True while the camera moves and a picture stands in for the edges (large graphs).
      moving: function () { return moving(self); },
      // Where a node is drawn, in CSS pixels of the browser's viewport.
      position: function (title) {
        var node = nodeByTitle(title);
        if (node === null) return null;
        var shown = self.renderer.getNodeDisplayData(node);
        var point = self.renderer.framedGraphToViewport(shown);
        var box = self.container.getBoundingClientRect();
        return { x: box.left + point.x, y: box.top + point.y, size: shown.size };
      },
      // The labels drawn in the last frame: each title and its box (text and halo), in CSS
      // pixels of the browser's viewport.
      labels: function () {
        var box = self.container.getBoundingClientRect();
        return self.placedLabels.map(function (label) {
          return { title: label.label, left: box.left + label.left, right: box.left + label.right,
                   top: box.top + label.top, bottom: box.top + label.bottom };
        });
      },
      // The colours the graph is drawn in, as Sigma was given them.
      colours: function () {
        var renderer = self.renderer;
        return { label: renderer.getSetting("labelColor").color, edge: renderer.getSetting("defaultEdgeColor"),
                 background: self.palette.background };
      },
      centre: function () {
        var box = self.container.getBoundingClientRect();
        return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      },
      sigma: self.renderer,
    };
  };

  function option(select, value, text) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = text;
    select.appendChild(element);
  }

  // The words in the site's language: the page gives them (graph_view.py, from
  // compiler/catalogues/), so that the script holds none of its own.
  function word(container, key) {
    if (container.kbLabels === undefined) {
      try {
        container.kbLabels = JSON.parse(container.getAttribute("data-kb-labels") || "{}");
      } catch (error) {
        container.kbLabels = {};
      }
    }
    return container.kbLabels[key] || key;
  }

  function control(parent, labelText, input) {
    var label = document.createElement("label");
    label.className = "kb-graph-control";
    var span = document.createElement("span");
    span.textContent = labelText;
    label.appendChild(span);
    label.appendChild(input);
    parent.appendChild(label);
  }

  /* The legend under the global graph: each colour named, a community after its centre (its
   * note of highest PageRank), a folder after itself. An entry pressed fades every other group. */
  function legendEntries(view, data) {
    var entries = [], more;
    if (view.filter.colour === "folder") {
      var tops = topFolders(data);
      var names = Object.keys(tops).sort(function (a, b) { return tops[a] - tops[b]; });
      names.slice(0, PALETTE.length).forEach(function (name, i) {
        entries.push({ number: i, name: name || "/", colour: PALETTE[i] });
      });
      more = names.length > PALETTE.length;
    } else {
      var centres = data.centres || [];
      centres.slice(0, view.colouredCommunities).forEach(function (centre, i) {
        entries.push({ number: i, name: data.nodes.title[centre], colour: PALETTE[i] });
      });
      more = centres.length > view.colouredCommunities;
    }
    if (more) entries.push({ number: view.paletted(), name: word(view.container, "graph.others"), colour: OTHER });
    return entries;
  }

  function legend(view, data) {
    var box = document.createElement("div");
    box.className = "kb-graph-legend";
    var heading = document.createElement("p");
    heading.className = "kb-graph-legend-heading";
    heading.textContent = word(view.container, "graph.legend");
    var list = document.createElement("ul");
    box.appendChild(heading);
    box.appendChild(list);
    view.container.parentNode.insertBefore(box, view.container.nextSibling);
    function fill() {
      list.textContent = "";
      view.group = null;
      legendEntries(view, data).forEach(function (entry) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("aria-pressed", "false");
        var swatch = document.createElement("span");
        swatch.className = "kb-graph-swatch";
        swatch.style.background = entry.colour;
        button.appendChild(swatch);
        button.appendChild(document.createTextNode(entry.name));
        button.addEventListener("click", function () {
          view.group = view.group === entry.number ? null : entry.number;
          list.querySelectorAll("button").forEach(function (b) {
            b.setAttribute("aria-pressed", b === button && view.group !== null ? "true" : "false");
          });
          view.renderer.refresh({ skipIndexation: true });
        });
        item.appendChild(button);
        list.appendChild(item);
      });
    }
    fill();
    return fill;
  }

  function communitiesWithColours(data) {
    // Communities are numbered largest first: those of more than one note come first.
    var sizes = {};
    data.nodes.community.forEach(function (c) { if (c >= 0) sizes[c] = (sizes[c] || 0) + 1; });
    var coloured = 0;
    while (coloured < PALETTE.length && (sizes[coloured] || 0) > 1) coloured += 1;
    return coloured;
  }

  function globalControls(view, data) {
    var bar = document.createElement("div");
    bar.className = "kb-graph-controls";
    view.container.parentNode.insertBefore(bar, view.container);

    var searchBox = document.createElement("div");
    searchBox.className = "kb-graph-search";
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = word(view.container, "graph.find_note");
    search.setAttribute("aria-label", word(view.container, "graph.find_note"));
    var results = document.createElement("ul");
    results.className = "kb-graph-results";
    searchBox.appendChild(search);
    searchBox.appendChild(results);
    bar.appendChild(searchBox);

    function showResults() {
      results.textContent = "";
      view.find(search.value).slice(0, 8).forEach(function (hit) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = hit.title;
        button.addEventListener("click", function () {
          view.select(hit.node);
          results.textContent = "";
        });
        item.appendChild(button);
        results.appendChild(item);
      });
    }
    search.addEventListener("input", showResults);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var hits = view.find(search.value);
        if (hits.length) view.select(hits[0].node);
        results.textContent = "";
      } else if (event.key === "Escape") {
        results.textContent = "";
      }
    });

    var colour = document.createElement("select");
    option(colour, "community", word(view.container, "graph.by_community"));
    option(colour, "folder", word(view.container, "graph.by_folder"));
    control(bar, word(view.container, "graph.colour"), colour);
    var refill = legend(view, data);
    colour.addEventListener("change", function () {
      view.filter.colour = colour.value;
      refill();
      view.renderer.refresh({ skipIndexation: true });
    });

    var folder = document.createElement("select");
    option(folder, "", word(view.container, "graph.all"));
    var folders = {};
    data.folders.forEach(function (name) {
      var parts = name.split("/");
      for (var i = 1; i <= parts.length; i++) folders[parts.slice(0, i).join("/")] = true;
    });
    Object.keys(folders).filter(Boolean).sort().forEach(function (name) { option(folder, name, name); });
    control(bar, word(view.container, "graph.folder"), folder);
    folder.addEventListener("change", function () {
      view.filter.folder = folder.value;
      view.applyFilter();
    });

    var tag = document.createElement("select");
    option(tag, "-1", word(view.container, "graph.all"));
    data.tags.forEach(function (name, i) { option(tag, String(i), "#" + name); });
    control(bar, word(view.container, "graph.tag"), tag);
    tag.addEventListener("change", function () {
      view.filter.tag = Number(tag.value);
      view.applyFilter();
    });

    [["hideGhosts", word(view.container, "graph.hide_ghosts")],
     ["hideOrphans", word(view.container, "graph.hide_orphans")]].forEach(function (pair) {
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = pair[0];
      control(bar, pair[1], box);
      box.addEventListener("change", function () {
        view.filter[pair[0]] = box.checked;
        view.applyFilter();
      });
    });
  }

  /* A local graph: the note in the middle, each level on a ring around it in the order given
   * (the page's ring order: linked neighbours side by side), starting at the top. */
  function radial(graph, centre, levels) {
    var positions = {};
    positions[centre] = { x: 0, y: 0 };
    levels.forEach(function (members, depth) {
      var radius = 100 * (depth + 1);
      members.forEach(function (node, i) {
        var angle = -Math.PI / 2 + (2 * Math.PI * i) / members.length;
        positions[node] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
      });
    });
    graph.forEachNode(function (node) {
      graph.mergeNodeAttributes(node, positions[node]);
    });
  }

  /* Communities numbered from the centre's own (0) in the order of the members, as the page's
   * own data numbers them, so that the colours stay when the second level is shown. */
  function renumberCommunities(column) {
    var number = {};
    var next = 0;
    return column.map(function (c) {
      if (c < 0) return -1;
      if (number[c] === undefined) number[c] = next++;
      return number[c];
    });
  }

  function startLocal(container) {
    var section = container.closest(".kb-local-graph");
    var data = JSON.parse(container.getAttribute("data-kb-local"));
    var graph = new graphology.UndirectedGraph();
    var keys = addNodes(graph, data, true);
    var centre = keys[0];
    var ring = keys.slice(1);
    radial(graph, centre, [ring]);
    var view = new View(container, "local", graph, { url: urlMaker(section), current: centre });

    var bar = document.createElement("div");
    bar.className = "kb-graph-controls kb-graph-depth";
    [1, 2].forEach(function (depth) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = word(container, "graph.depth." + depth);
      button.setAttribute("aria-pressed", depth === 1 ? "true" : "false");
      button.dataset.depth = String(depth);
      button.addEventListener("click", function () {
        bar.querySelectorAll("button").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        setDepth(depth);
      });
      bar.appendChild(button);
    });
    container.parentNode.insertBefore(bar, container);

    var whole = null;
    function setDepth(depth) {
      if (depth === 1) {
        graph.clear();
        addNodes(graph, data, true);
        radial(graph, centre, [ring]);
        view.setFocus(null);
        view.renderer.getCamera().animatedReset({ duration: 200 });
        return Promise.resolve();
      }
      whole = whole || fetch(dataUrl()).then(function (r) { return r.json(); });
      return whole.then(function (all) {
        var at = {};
        all.nodes.title.forEach(function (_, i) { at[nodeKey(all.nodes, i)] = i; });
        var here = at[centre];
        if (here === undefined) return;
        var adjacent = all.nodes.title.map(function () { return []; });
        for (var e = 0; e + 1 < all.edges.length; e += 2) {
          adjacent[all.edges[e]].push(all.edges[e + 1]);
          adjacent[all.edges[e + 1]].push(all.edges[e]);
        }
        var level = {};
        level[here] = 0;
        // The first ring as the page orders it; the second grouped by the neighbour it hangs
        // from, so that it continues the first ring outwards.
        var first = ring.map(function (k) { return at[k]; }).filter(function (n) {
          return n !== undefined;
        });
        first.forEach(function (n) { level[n] = 1; });
        var second = [];
        first.forEach(function (n) {
          var outer = adjacent[n].filter(function (m) {
            if (level[m] !== undefined) return false;
            level[m] = 2;
            return true;
          });
          outer.sort(function (a, b) {
            var ka = nodeKey(all.nodes, a), kb = nodeKey(all.nodes, b);
            return ka < kb ? -1 : ka > kb ? 1 : 0;
          });
          second.push.apply(second, outer);
        });
        var members = [here].concat(first, second);
        var subset = { nodes: {}, edges: [], folders: all.folders };
        Object.keys(all.nodes).forEach(function (column) {
          subset.nodes[column] = members.map(function (n) { return all.nodes[column][n]; });
        });
        subset.nodes.community = renumberCommunities(subset.nodes.community);
        var local = {};
        members.forEach(function (n, i) { local[n] = i; });
        for (var f = 0; f + 1 < all.edges.length; f += 2) {
          var a = local[all.edges[f]], b = local[all.edges[f + 1]];
          if (a !== undefined && b !== undefined) subset.edges.push(a, b);
        }
        graph.clear();
        var subsetKeys = addNodes(graph, subset, true);
        radial(graph, centre, [subsetKeys.slice(1, 1 + first.length), subsetKeys.slice(1 + first.length)]);
        view.setFocus(null);
        view.renderer.getCamera().animatedReset({ duration: 200 });
      });
    }
    return view;
  }

  function startGlobal(container) {
    var section = container.closest(".kb-graph-page");
    return fetch(dataUrl()).then(function (response) {
      if (!response.ok) throw new Error("graph.json: " + response.status);
      return response.json();
    }).then(function (data) {
      var graph = new graphology.UndirectedGraph();
      var keys = addNodes(graph, data);
      var coloured = communitiesWithColours(data);
      var view = new View(container, "global", graph, {
        url: urlMaker(section), colouredCommunities: coloured,
        centres: (data.centres || []).slice(0, coloured).map(function (n) { return keys[n]; }),
      });
      globalControls(view, data);
      return view;
    });
  }

  function start(container) {
    container.kbStarted = true;
    if (typeof Sigma === "undefined" || typeof graphology === "undefined") {
      message(container, word(container, "graph.scripts_missing"));
      return;
    }
    var kind = container.getAttribute("data-kb-graph");
    Promise.resolve().then(function () {
      return kind === "global" ? startGlobal(container) : startLocal(container);
    }).then(function (view) {
      views.push(view);
      window.kbGraph = view.hook();
    }).catch(function (error) {
      message(container, word(container, "graph.cannot_draw") + error.message);
      window.kbGraph = { kind: kind, ready: false, error: String(error) };
    });
  }

  function startAll() {
    // With instant navigation, views of the page left behind are dropped.
    views = views.filter(function (view) {
      if (document.body.contains(view.container)) return true;
      view.renderer.kill();
      return false;
    });
    document.querySelectorAll("[data-kb-graph]").forEach(function (container) {
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
