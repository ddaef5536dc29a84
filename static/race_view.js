// The race view: a contour ("plane"), a 3-D surface ("scene") and the loss, with one
// Play/Pause and one step slider. The graphs stay on the page across Streamlit reruns:
// a change sends new paths and Plotly.react updates the graphs in place; Play steps
// through the paths here, in the browser. What the data hold: viz/race.py; how it is
// loaded: app_pages/race_view.py.

// WebGL drawn at the screen's own resolution (plotly.js draws 3-D at twice it by
// default: four times the pixels, 45–90 ms a picture with software WebGL here)
const CONFIG = {
  displaylogo: false, scrollZoom: false, responsive: true,
  plotGlPixelRatio: Math.max(1, window.devicePixelRatio || 1),
};
// The contour and the loss without plotly.js's toolbar: over the contour it covered
// (and caught the clicks of) the legend's last entries. Drag to zoom, double-click to
// go back; the 3-D view keeps it (its camera buttons).
const FLAT = { ...CONFIG, displayModeBar: false };

// What stays between reruns and pages: the surfaces' parts, the runs' paths and the
// other figures, each under the digest the server sends in their place once they are
// here; plotly.js itself.
const shared = (window.__raceView ??= {
  statics: new Map(), paths: new Map(), figures: new Map(), plotly: null,
  lastStep: 0, // the step last shown, for a race view mounted again (back from a page)
});
const KEEP = { statics: 24, paths: 400, figures: 60 }; // the oldest go beyond these

// Resolved when a race view has first drawn (or after 5 s, if the page has none).
let raceWasDrawn;
const raceDrawn = new Promise((ok) => { raceWasDrawn = ok; setTimeout(ok, 5000); });

function remember(kind, key, value) {
  const map = shared[kind];
  map.delete(key);
  map.set(key, value);
  if (map.size > KEEP[kind]) map.delete(map.keys().next().value);
}

function loadPlotly() {
  shared.plotly ??= window.Plotly ? Promise.resolve(window.Plotly) : new Promise((ok, fail) => {
    const tag = document.createElement("script");
    tag.src = new URL("plotly.min.js", import.meta.url).href; // beside this file
    tag.onload = () => ok(window.Plotly);
    tag.onerror = fail;
    document.head.appendChild(tag);
  });
  return shared.plotly;
}

// A plotly.js typed-array spec ({dtype: "f4" or "i4", bdata}) as a typed array.
function decode(spec) {
  const bytes = Uint8Array.from(atob(spec.bdata), (c) => c.charCodeAt(0));
  return spec.dtype === "i4" ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
}

// The batches' part (viz.race._batch_parts), decoded: each distinct batch's loss on a
// grid, its lowest grid point and its examples; which batch each step took.
function decodeBatch(b) {
  const out = {};
  for (const key of ["x", "y", "starts", "low", "index", "members", "offsets", "ex"]) {
    out[key] = decode(b[key]);
  }
  return out;
}

// The batch step k took (the first batch at step 0, the one about to be taken); -1 for
// one beyond the distinct batches drawn (a long reshuffled race).
const batchAt = (view, k) => view.batch.index[Math.max(1, Math.min(k, view.batch.index.length)) - 1];

const HTML = `
  <div class="race-views"><div class="race-legend"></div><div class="race-plane"></div><div class="race-scene"></div></div>
  <div class="race-controls">
    <button type="button" class="race-play">▶ Play</button>
    <input type="range" class="race-step" min="0" max="0" value="0" aria-label="shown step">
    <span class="race-label">step 0</span>
    <button type="button" class="race-link" title="Copy this page's link, to hand out">Copy link</button>
  </div>
  <div class="race-numbers"></div>
  <div class="race-bottom"><div class="race-loss"></div><div class="race-fit"></div></div>`;

// One view per mounted component; its state lives on its root element.
function mount(parent) {
  let root = parent.querySelector(".race-view");
  if (root) return root.__race;
  root = document.createElement("div");
  root.className = "race-view";
  root.innerHTML = HTML;
  parent.appendChild(root);
  const view = {
    root, data: null, paths: [], index: 0, playing: false, timer: null, frames: 0, frames3d: 0,
    queue: Promise.resolve(), // plotly calls one after another, never two at once
    plane: root.querySelector(".race-plane"), scene: root.querySelector(".race-scene"),
    loss: root.querySelector(".race-loss"), play: root.querySelector(".race-play"),
    legend: root.querySelector(".race-legend"), numbers: root.querySelector(".race-numbers"),
    fit: root.querySelector(".race-fit"), bottom: root.querySelector(".race-bottom"),
    slider: root.querySelector(".race-step"), label: root.querySelector(".race-label"),
  };
  root.__race = view;
  view.play.addEventListener("click", () => (view.playing ? pause(view) : play(view)));
  const link = root.querySelector(".race-link");
  link.addEventListener("click", async () => {
    try { // (the clipboard needs https or localhost: elsewhere the link is shown to copy)
      await navigator.clipboard.writeText(window.location.href);
      link.textContent = "Link copied";
    } catch {
      window.prompt("Copy this link:", window.location.href);
    }
    setTimeout(() => (link.textContent = "Copy link"), 2000);
  });
  view.slider.addEventListener("input", () => {
    const index = +view.slider.value; // (pausing sets the slider back to the shown step)
    pause(view, false);
    later(view, () => { show(view, index); report(view); });
  });
  // ← and → move every optimizer one step, wherever the page's focus is not in a field
  // or a slider of its own (those keep their arrows)
  const onKey = (event) => {
    if (!root.isConnected) return document.removeEventListener("keydown", onKey);
    if (!view.data || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const delta = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    const target = event.target;
    if (!delta || target?.closest?.("input, textarea, select, [contenteditable], [role=slider], [role=combobox], [role=listbox]")) return;
    event.preventDefault();
    stepBy(view, delta);
  };
  document.addEventListener("keydown", onKey);
  // The page's step buttons (presentation mode) move the view here, at once: their
  // click goes no further (Streamlit's own would wait for a rerun of the page), and the
  // view tells the server the step it shows, as the slider and the keys do. (Without
  // this view on the page, the buttons' own click moves the server's count.)
  const onPress = (event) => {
    if (!root.isConnected) return document.removeEventListener("click", onPress, true);
    const button = event.target?.closest?.("button");
    const delta = button && { Previous: -1, Next: 1 }[button.textContent.match(/(Previous|Next) step/)?.[1]];
    if (!view.data?.report || !delta || button.disabled) return;
    event.preventDefault();
    event.stopPropagation();
    view.pressedAt = step(view);
    root.dataset.pressed = String(view.pressedAt); // (for tests)
    stepBy(view, delta);
  };
  document.addEventListener("click", onPress, true);
  return view;
}

// One step (delta = ±1) from the step shown, exactly: a step Play might skip over too.
function stepBy(view, delta) {
  pause(view, false);
  return later(view, () => { showStep(view, step(view) + delta); report(view); });
}

// The server's own step controls (presentation mode) hear of the step shown when it
// stops: paused, moved by the slider or the arrows; not at every frame of Play.
function report(view) {
  if (!view.data?.report || step(view) === view.reported) return;
  view.reported = step(view);
  view.setState?.("step", view.reported);
}

// Runs fn after the plotly calls already asked for.
function later(view, fn) {
  view.queue = view.queue.then(fn).catch((error) => console.error(error));
  return view.queue;
}

// A trace template with its coordinates filled in from its run's path at step k.
function fill(view, trace, k) {
  const { path, moving, coords, ...out } = trace;
  if (moving === "cursor") return { ...out, x: [k, k] };
  if (moving === "batch" || moving === "batchmin" || moving === "batchfit") {
    return batchTrace(view, out, moving, k);
  }
  if (path === undefined) return out;
  const p = view.paths[path];
  if (moving === "arrow") { // from the point at step k, along the arrow of its kind
    const { arrow } = trace;
    const a = p.arrows?.[arrow];
    const j = Math.min(k, p.x.length - 1);
    if (!a) return { ...out, arrow: undefined, x: [], y: [] };
    const { arrow: _, ...rest } = out;
    return { ...rest, x: [p.x[j], p.x[j] + a.x[j]], y: [p.y[j], p.y[j] + a.y[j]] };
  }
  if (moving === "trials") { // the points the next line search tried, from step k
    const t = p.trials;
    const j = Math.min(k, p.x.length - 1);
    if (!t) return { ...out, x: [], y: [] };
    return { ...out, x: t.x.subarray(j * t.width, (j + 1) * t.width),
      y: t.y.subarray(j * t.width, (j + 1) * t.width) };
  }
  if (moving === "fit") return fitAt(out, p, Math.min(k, p.x.length - 1));
  if (coords === "loss") { // x: the step (plotly.js's default), or the ∇f evaluations by then
    if (moving === "head") { // the run's dot at step k (against evaluations)
      const j = Math.min(k, p.loss.length - 1);
      return { ...out, x: [p.evals ? p.evals[j] : j], y: [p.loss[j]] };
    }
    return p.evals ? { ...out, x: p.evals, y: p.loss } : { ...out, y: p.loss };
  }
  const n = p.x.length;
  const [lo, hi] = moving === "head" ? [Math.min(k, n - 1), Math.min(k, n - 1) + 1]
    : moving === "tail" ? [Math.max(0, k - view.data.runs.tail), Math.min(k, n - 1) + 1]
    : [0, n];
  Object.assign(out, { x: p.x.subarray(lo, hi), y: p.y.subarray(lo, hi) });
  if (out.type === "scatter3d") out.z = p.z.subarray(lo, hi);
  return out;
}

// The batch step k took: its loss's contour lines, its lowest point, or its examples
// (x and y of each: a regression's (x, y), a classifier's two features).
function batchTrace(view, out, moving, k) {
  const b = view.batch;
  const j = b ? batchAt(view, k) : -1;
  if (j < 0) return { ...out, x: [], y: [] };
  if (moving === "batchmin") return { ...out, x: [b.low[2 * j]], y: [b.low[2 * j + 1]] };
  if (moving === "batchfit") {
    const members = [...b.members.subarray(b.offsets[j], b.offsets[j + 1])];
    return { ...out, x: members.map((i) => b.ex[2 * i]), y: members.map((i) => b.ex[2 * i + 1]) };
  }
  return { ...out, x: b.x.subarray(b.starts[j], b.starts[j + 1]),
           y: b.y.subarray(b.starts[j], b.starts[j + 1]) };
}

// A data surface's model at the point (p.x[j], p.y[j]) of its run: the line ŷ = w x + b
// over the data's span, or the class boundary w·x = 0 (a line through the origin, at
// right angles to w) out to the data's reach.
function fitAt(trace, p, j) {
  const { fit, span, ...out } = trace;
  const [w, b] = [p.x[j], p.y[j]];
  if (fit === "line") return { ...out, x: span, y: span.map((x) => w * x + b) };
  const norm = Math.hypot(w, b);
  if (!(norm > 0)) return { ...out, x: [], y: [] }; // w = 0: no boundary
  const [dx, dy] = [(-b / norm) * span[0], (w / norm) * span[0]];
  return { ...out, x: [-dx, dx], y: [-dy, dy] };
}

// The step shown: one of the shown steps (Play, the slider), or any step in between
// (the step buttons and arrows move exactly one step).
const step = (view) => view.exact ?? view.data.runs.shown[view.index];

// Shows step k exactly; the slider stands at the last shown step at or before it.
function setExact(view, k) {
  const { shown, steps } = view.data.runs;
  view.exact = Math.max(0, Math.min(Math.round(k), steps));
  let i = 0;
  while (i + 1 < shown.length && shown[i + 1] <= view.exact) i += 1;
  view.index = i;
}

function traces(view, part, k) {
  const runs = view.data.runs;
  const base = part === "loss" || part === "fit" ? runs[part].data
    : [...view.static[part].data, ...runs[part]];
  return [...base, ...runs.moving[part]].map((t) => fill(view, t, k));
}

// Everything drawn again from new data: Plotly.react, so that only what changed is
// redrawn; on another surface, new plots (react kept the last surface's axis ranges
// where the axes are tied to scale). plotly.js writes into the layouts it is given:
// it gets copies.
async function draw(view, fresh) {
  const plot = fresh ? window.Plotly.newPlot : window.Plotly.react;
  const k = step(view);
  const layout = (part) => fit(view, part, structuredClone(part === "loss"
    ? view.data.runs.loss.layout : view.static[part].layout));
  // a data surface: its examples and each run's model, beside the loss (which is then
  // narrower: set before the loss is drawn, which takes its width from its box)
  const model = view.data.runs.fit;
  const narrow = view.bottom.classList.contains("race-with-fit");
  view.bottom.classList.toggle("race-with-fit", Boolean(model));
  const moved = await drawLegend(view, k); // (first: it decides the views' widths)
  for (const part of ["plane", "scene", "loss"]) {
    await plot(view[part], traces(view, part, k), layout(part), part === "scene" ? CONFIG : FLAT);
  }
  if (!fresh && moved) for (const gd of [view.plane, view.scene]) window.Plotly.Plots.resize(gd);
  if (view.root.classList.contains("race-legend-beside")) { // as tall as the views
    await window.Plotly.relayout(view.legend, { height: view.plane._fullLayout.height });
  }
  if (!fresh && narrow !== Boolean(model)) window.Plotly.Plots.resize(view.loss);
  if (model) {
    await plot(view.fit, traces(view, "fit", k), structuredClone(model.layout), FLAT);
  } else if (view.fit.data) {
    window.Plotly.purge(view.fit);
  }
  if (fresh) listen(view); // a new plot has no listeners
  showLabel(view);
  view.root.dataset.step = String((shared.lastStep = k));
  view.root.dataset.step3d = String((view.step3d = k)); // react drew the 3-D heads at k too
  view.root.dataset.drawn = view.data.runs.revision; // what tests and benchmarks wait for
  view.root.dataset.draws = String(+(view.root.dataset.draws ?? 0) + 1);
}

// Presentation mode: the two views as tall as they are asked to be, but no taller than
// the window has room for below the page's first row, with the controls and the numbers
// at the shown step under them (on a 1280 × 720 projector).
const CONTROLS_PX = 70;
const MIN_VIEW_PX = 300;

function fit(view, part, layout) {
  if (!view.data.present || part === "loss") return layout;
  const top = view.plane.getBoundingClientRect().top + (document.scrollingElement?.scrollTop ?? 0);
  const room = window.innerHeight - Math.max(0, top) - CONTROLS_PX - view.numbers.offsetHeight;
  layout.height = Math.max(MIN_VIEW_PX, Math.min(layout.height, Math.round(room)));
  return layout;
}

// The contour's legend names every run in all the graphs, and it is drawn apart from
// them: one row above both views, or, when its entries need more than one row there, a
// column beside them (the views keep their height: a legend wrapped over the contour
// took a third of it). Its own small plotly.js graph, so that its symbols are the
// graphs' own and a click hides a run everywhere (see listen).
const ENTRY_KEY = (t) => t.legendgroup ?? `name:${t.name}`;
const BESIDE_MIN_PX = 480; // narrower, the views stack and the legend stays on top

async function drawLegend(view, k) {
  const gd = view.legend;
  const planeLayout = view.static.plane.layout;
  const entries = traces(view, "plane", k)
    .filter((t) => t.type === "scatter" && t.showlegend !== false && t.name)
    .map((t) => ({ type: "scatter", mode: t.mode, name: t.name, legendgroup: ENTRY_KEY(t),
                   marker: t.marker, line: t.line, x: [null], y: [null], hoverinfo: "skip" }));
  const wasBeside = view.root.classList.contains("race-legend-beside");
  // the same entries at the same width (a slider moved): the legend drawn is right
  const drawnFor = JSON.stringify([entries, view.legend.parentElement.clientWidth,
                                   planeLayout.legend, view.data.present]);
  // (unless an entry is hidden: the graphs drawn anew show every run again, so must it)
  const allShown = gd.data?.every((t) => t.visible === undefined || t.visible === true);
  if (gd.data && allShown && drawnFor === view.legendFor) return false;
  view.legendFor = drawnFor;
  const layout = (orientation, width, height) => ({
    width, height, margin: { l: 0, r: 0, t: 0, b: 0 }, font: planeLayout.font,
    xaxis: { visible: false, fixedrange: true }, yaxis: { visible: false, fixedrange: true },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", hovermode: false,
    showlegend: true, dragmode: false,
    legend: { ...planeLayout.legend, orientation, x: 0, y: 1, xanchor: "left", yanchor: "top",
              maxheight: 1 }, // (all of its graph: by default half, then a scroll bar)
  });
  const first = !gd.data;
  const rows = () => new Set([...gd.querySelectorAll(".legend .traces")]
    .map((g) => g.getAttribute("transform")?.match(/,\s*([-\d.]+)/)?.[1])).size;
  const size = () => gd._fullLayout.legend ?? {};
  // one row above the views, if it fits in one (in type down to 0.75 of the graphs')
  view.root.classList.remove("race-legend-beside");
  const across = view.legend.parentElement.clientWidth;
  const full = planeLayout.legend?.font?.size ?? 14;
  for (const size of [full, Math.round(full * 0.87), Math.round(full * 0.75)]) {
    const row = layout("h", across, 400);
    row.legend.font = { ...row.legend.font, size };
    await window.Plotly.react(gd, entries, row, FLAT);
    if (rows() <= 1) break;
  }
  if (first) listenLegend(view, gd); // (react keeps its listeners from then on)
  const beside = rows() > 1 && across > BESIDE_MIN_PX;
  if (beside) { // else a column beside them, as wide as its longest name
    view.root.classList.add("race-legend-beside");
    const height = fit(view, "plane", { height: planeLayout.height }).height;
    for (const size of [full, Math.round(full * 0.75)]) { // (smaller, if all fit then)
      const column = layout("v", 400, height);
      column.legend.font = { ...column.legend.font, size };
      await window.Plotly.react(gd, entries, column, FLAT);
      if (!(gd._fullLayout.legend?._height > height)) break;
    }
    await window.Plotly.relayout(gd, { width: Math.ceil(size()._width ?? 200) + 8 });
  } else {
    await window.Plotly.relayout(gd, { height: Math.ceil(size()._height ?? 30) + 4 });
  }
  view.root.dataset.legend = beside ? "beside" : `${rows()} row`; // (for tests)
  return beside !== wasBeside;
}

// The moving traces at the shown step: what Play and the slider do. The 2-D ones (tails,
// heads, the loss cursor) are moved in the SVG plotly.js drew, without a replot
// (Plotly.animate takes 40–60 ms a frame here: it goes through every trace); the 3-D
// heads in the WebGL scene (plotly.js does not animate 3-D traces), as often as the
// machine draws the scene without slowing the rest (see update3d).
function show(view, index) {
  view.index = Math.max(0, Math.min(index, view.data.runs.shown.length - 1));
  view.exact = null;
  moveTo(view);
}

function showStep(view, k) {
  setExact(view, k);
  moveTo(view);
}

function moveTo(view) {
  const k = step(view);
  showLabel(view);
  place(view, view.plane, "plane", k);
  place(view, view.loss, "loss", k);
  if (view.data.runs.fit) place(view, view.fit, "fit", k);
  update3d(view);
  view.frames += 1;
  shared.lastStep = k;
  view.root.dataset.step = String(k);
  view.root.dataset.frames = String(view.frames);
}

// Moves the 3-D heads to the shown step, one scene picture at a time: the next begins
// once the last is on screen. With a GPU that is every frame; with software WebGL (a
// headless browser here: 25–45 ms a picture) the 3-D heads now and then skip a step,
// while the 2-D view, the slider and the loss cursor keep the pace asked for. The last
// step asked for is always drawn.
function update3d(view) {
  view.want3d = true;
  if (view.busy3d) return;
  view.busy3d = true;
  view.want3d = false;
  later(view, () => place3d(view, step(view))); // after any redraw under way
  requestAnimationFrame(() => requestAnimationFrame(() => { // the picture is on screen
    view.busy3d = false;
    view.frames3d += 1;
    view.root.dataset.frames3d = String(view.frames3d);
    view.root.dataset.step3d = String(view.step3d);
    if (view.want3d) update3d(view);
  }));
}

// Moves the 3-D heads to step k: straight in plotly.js's WebGL scene (its trace objects'
// update and the scene's redraw, 2–3 ms here), else through Plotly.restyle (~25 ms).
function place3d(view, k) {
  const gd = view.scene;
  view.step3d = k;
  const templates = view.data.runs.moving.scene;
  const first = gd.data.length - templates.length;
  const heads = templates.map((t) => fill(view, t, k));
  const indices = heads.map((_, i) => first + i);
  heads.forEach((h, i) => Object.assign(gd.data[first + i], { x: h.x, y: h.y, z: h.z }));
  const scene = gd._fullLayout?.scene?._scene;
  const objects = indices.map((i) => scene?.traces?.[gd._fullData?.[i]?.uid]);
  if (objects.every((o) => o?.update) && scene.glplot?.redraw) {
    indices.forEach((i, j) => objects[j].update(Object.assign(gd._fullData[i], { x: heads[j].x, y: heads[j].y, z: heads[j].z })));
    scene.glplot.redraw();
    return null;
  }
  return window.Plotly.restyle(gd, {
    x: heads.map((h) => h.x), y: heads.map((h) => h.y), z: heads.map((h) => h.z),
  }, indices);
}

// Moves part's moving traces (drawn last in gd) to step k in gd's SVG.
function place(view, gd, part, k) {
  const templates = view.data.runs.moving[part];
  const first = gd.data.length - templates.length;
  const layout = gd._fullLayout;
  if (!layout || !templates.length) return;
  const { xaxis, yaxis } = layout; // pixels inside the plot area, where the traces are
  const groups = new Map([...gd.querySelectorAll(".scatterlayer .trace")]
    .map((g) => [g.__data__?.[0]?.trace?.index, g]));
  templates.forEach((template, i) => {
    const group = groups.get(first + i);
    if (!group && template.moving !== "trials") return;
    const { x, y } = fill(view, template, k);
    // keep plotly.js's own copy in step, for any later replot (a zoom, a resize)
    Object.assign(gd.data[first + i], { x, y });
    const points = [...x].map((v, j) => [xaxis.c2p(v), yaxis.c2p(y[j])]);
    const ok = points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    if (template.moving === "trials") { // a dot per point tried: move those drawn, hide
      const dots = group ? group.querySelectorAll("path.point") : []; // the rest, draw more
      dots.forEach((dot, j) => {
        if (j < ok.length) dot.setAttribute("transform", `translate(${ok[j].join(",")})`);
        dot.style.display = j < ok.length ? "" : "none";
      });
      if (dots.length < ok.length) {
        later(view, () => window.Plotly.restyle(gd, { x: [x], y: [y] }, [first + i]));
      }
      return;
    }
    const line = group.querySelector("path.js-line");
    if (line) line.setAttribute("d", svgPath(points));
    const marks = group.querySelectorAll("path.point");
    const head = marks[marks.length - 1]; // (an arrow's tip: its second point)
    if (head && ok.length) {
      let transform = `translate(${ok[ok.length - 1].join(",")})`;
      if (template.moving === "arrow" && ok.length > 1) { // the tip along the arrow
        const [[ax, ay], [bx, by]] = ok.slice(-2);
        transform += ` rotate(${(Math.atan2(bx - ax, ay - by) * 180) / Math.PI})`;
      }
      head.setAttribute("transform", transform);
    }
    if (head) head.style.display = ok.length ? "" : "none";
    // a marker drawn where it had no value (a loss dot below the log axis's floor) has no
    // element to move: plotly.js draws it again
    else if (ok.length && template.moving === "head") {
      later(view, () => window.Plotly.restyle(gd, { x: [x], y: [y] }, [first + i]));
    }
  });
}

// An SVG path through the points, broken where a point has no value (between a batch's
// contour lines; where a path left the box).
function svgPath(points) {
  let d = "";
  let move = true;
  for (const [a, b] of points) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      move = true;
      continue;
    }
    d += `${move ? "M" : "L"}${a},${b}`;
    move = false;
  }
  return d || "M0,0";
}

// Presentation mode's numbers, at the step the server last heard of (dimmed while the
// view shows another: Play, or before the server has answered).
function showNumbers(view) {
  const numbers = view.data.numbers;
  if (!numbers?.rows?.length) return void view.numbers.replaceChildren();
  const [first, ...columns] = Object.keys(numbers.rows[0]);
  const table = document.createElement("table");
  const cell = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
  const head = table.createTHead().insertRow();
  head.append(cell("th", `At step ${numbers.step}`), ...columns.map((c) => cell("th", c)));
  const body = table.createTBody();
  for (const row of numbers.rows) {
    body.insertRow().append(cell("td", row[first]), ...columns.map((c) => cell("td", row[c])));
  }
  view.numbers.replaceChildren(table);
}

function showLabel(view) {
  view.numbers.classList.toggle("race-stale", view.data?.numbers?.step !== undefined
    && view.data.numbers.step !== step(view));
  view.slider.max = String(view.data.runs.shown.length - 1);
  view.slider.value = String(view.index);
  view.label.textContent = `step ${step(view)}`;
  view.play.textContent = view.playing ? "❚❚ Pause" : "▶ Play";
  view.root.dataset.playing = String(view.playing);
}

// Play at the speed asked for: one shown step every frame_ms, on a fixed schedule (a
// frame that came late is followed by the next one at once), so that the race takes
// the time it promises; more than a frame behind, the schedule starts again from now.
// Faster than 20 frames a second (speed above 1x), a frame moves several steps.
const MIN_FRAME_MS = 50;

function play(view) {
  if (step(view) >= view.data.runs.steps) { view.index = 0; view.exact = null; } // again
  // (from a step between shown ones, the next frame is the next shown step after it)
  view.playing = true;
  showLabel(view);
  let due = performance.now();
  let position = view.index; // in shown steps, with a fraction at speeds above 1x
  const tick = async () => {
    if (!view.playing) return;
    const frame = Math.max(view.data.frame_ms, MIN_FRAME_MS);
    if (Math.floor(position) !== view.index) position = view.index; // moved meanwhile
    position += frame / view.data.frame_ms;
    // from a step between shown ones, on to the next shown step at once
    if (view.exact > view.data.runs.shown[view.index]) position = Math.max(position, view.index + 1);
    await later(view, () => view.playing && show(view, Math.floor(position)));
    if (view.index >= view.data.runs.shown.length - 1) return pause(view);
    const now = performance.now();
    due = Math.max(due + frame, now - frame);
    if (view.playing) view.timer = setTimeout(tick, Math.max(0, due - now));
  };
  view.timer = setTimeout(tick, 0);
}

function pause(view, tell = true) {
  view.playing = false;
  clearTimeout(view.timer);
  showLabel(view);
  if (tell) report(view);
}

// Any other figure of the race page, drawn with the same plotly.js (so that the page
// loads one copy of it) and updated in place with Plotly.react.
async function drawFigure(parent, data, trigger) {
  await raceDrawn; // the race first: these figures are below it
  if (data.figure) remember("figures", data.figure_key, data.figure);
  const spec = shared.figures.get(data.figure_key);
  if (!spec) return trigger("missing", { figures: [data.figure_key] });
  let gd = parent.querySelector(".race-figure");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "race-figure";
    parent.appendChild(gd);
  }
  await loadPlotly();
  const figure = JSON.parse(spec);
  await window.Plotly.react(gd, figure.data, figure.layout, CONFIG);
}

export default async function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  if (data.preload) return void loadPlotly(); // fetch and parse it while the page builds
  if (data.figure_key) return drawFigure(parentElement, data, setTriggerValue);
  const view = mount(parentElement);
  view.trigger = setTriggerValue;
  view.setState = setStateValue;
  view.root.classList.toggle("race-standalone", Boolean(data.standalone)); // no link to copy
  view.root.classList.toggle("race-present", Boolean(data.present)); // larger controls
  await loadPlotly();
  // the parts sent now, and those sent before and kept here
  if (data.static) remember("statics", data.key, data.static);
  for (const p of data.runs.paths) {
    if (p.x) {
      const arrows = p.arrows && Object.fromEntries(Object.entries(p.arrows)
        .map(([kind, a]) => [kind, { x: decode(a.x), y: decode(a.y) }]));
      remember("paths", p.id, { x: decode(p.x), y: decode(p.y), z: decode(p.z), loss: decode(p.loss),
                                arrows, evals: p.evals && decode(p.evals),
                                trials: p.trials && { x: decode(p.trials.x), y: decode(p.trials.y),
                                                      width: p.trials.width } });
    }
  }
  const batch = data.runs.batch;
  if (batch?.x) remember("paths", batch.id, decodeBatch(batch));
  const statics = shared.statics.get(data.key);
  const lost = [...data.runs.paths, ...(batch ? [batch] : [])]
    .filter((p) => !shared.paths.has(p.id)).map((p) => p.id);
  if (!statics || lost.length) { // not kept here after all (a reload): ask for them again
    setTriggerValue("missing", { static: statics ? null : data.key, paths: lost });
    return;
  }
  await later(view, async () => {
    // The step shown stays across changes (the nearest one the new run shows; the last
    // one if it is shorter); on another surface the graphs are made anew.
    const before = view.data ? step(view) : shared.lastStep ?? 0; // (back from a page)
    const exact = view.data ? view.exact != null : false;
    const fresh = view.static !== statics;
    view.data = data;
    view.static = statics;
    view.paths = data.runs.paths.map((p) => shared.paths.get(p.id));
    view.batch = batch ? shared.paths.get(batch.id) : null;
    const shown = data.runs.shown;
    const gap = (i) => Math.abs(shown[i] - before);
    view.index = shown.reduce((best, _, i) => (gap(i) < gap(best) ? i : best), 0);
    view.exact = null;
    if (exact) setExact(view, before); // an exact step stays exactly (or the last one)
    // the server's step buttons: "this step" (the step number typed) or "one step on
    // from where it is" (delta: ±1, from the step shown, also while playing)
    const seek = data.seek;
    if (seek && seek.token !== view.seekToken) {
      // a step button: one step from the step shown (Play stopped the moment it was
      // pressed, see onPress; keys or the slider used since then count too); the
      // server's own count may be behind the view, so the view tells it the result
      view.seekToken = seek.token;
      const target = seek.delta ? before + seek.delta : seek.step;
      pause(view, false);
      setExact(view, target);
      view.reported = step(view) === seek.step ? seek.step : undefined; // the server knows
    }
    if (view.playing && step(view) >= data.runs.steps) pause(view, false);
    // the same runs and looks as drawn (a rerun for the numbers under the view, after a
    // step button or a key): no redraw, the step shown only
    showNumbers(view); // (before the views: they leave room for it)
    const drawn = signature(data);
    if (!fresh && drawn === view.drawn) {
      moveTo(view);
      showLabel(view);
      return report(view);
    }
    view.drawn = drawn;
    await draw(view, fresh);
    report(view);
    raceWasDrawn();
  });
}

// What a drawing of data depends on: all of it but the surface's parts (compared by
// key), the paths' arrays (by id), a step button's seek and the numbers.
function signature(data) {
  const { static: _, seek: __, numbers: ___, runs, ...rest } = data;
  return JSON.stringify({ ...rest, runs: { ...runs, paths: runs.paths.map((p) => p.id) } });
}

// A click on the contour starts the race there; the two clicks of a double-click (which
// resets a zoom to the whole domain) do not.
const DOUBLE_CLICK_MS = 350;

function listen(view) {
  let pending = null;
  view.plane.on("plotly_click", (event) => {
    clearTimeout(pending);
    if (!event.event || event.event.detail > 1) return;
    // where the pointer is, not the nearest point (a marker near it would win)
    const area = view.plane.querySelector(".nsewdrag").getBoundingClientRect();
    const { xaxis, yaxis } = view.plane._fullLayout;
    const x = xaxis.p2d(event.event.clientX - area.left);
    const y = yaxis.p2d(event.event.clientY - area.top);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    pending = setTimeout(() => view.trigger("click", { x, y }), DOUBLE_CLICK_MS);
  });
  view.plane.on("plotly_doubleclick", () => {
    clearTimeout(pending);
    // back to the whole domain (plotly.js's own reset may fit the click cells instead)
    const { xaxis, yaxis } = view.static.plane.layout;
    later(view, () => window.Plotly.relayout(view.plane,
      { "xaxis.range": [...xaxis.range], "yaxis.range": [...yaxis.range] }));
  });
}

// The legend shows and hides a run (or the minimizers, the saddles…) in every graph.
function listenLegend(view, legend) {
  legend.on("plotly_restyle", ([update, indices]) => {
    if (!update || !("visible" in update)) return;
    const value = (i) => (Array.isArray(update.visible) ? update.visible[i] : update.visible);
    const groups = new Map(indices.map((t, i) => [legend.data[t].legendgroup, value(i)]));
    for (const gd of [view.plane, view.scene, view.loss, ...(view.fit.data ? [view.fit] : [])]) {
      const match = gd.data.map((t, i) => [ENTRY_KEY(t), i]).filter(([g]) => groups.has(g));
      if (match.length) {
        later(view, () => window.Plotly.restyle(gd, { visible: match.map(([g]) => groups.get(g)) },
          match.map(([, i]) => i)));
      }
    }
  });
}
