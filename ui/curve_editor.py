"""The curve editor: an SVG plot of every curve in its object's colour, whose keyframes the user drags, adds (click
on the plot) and removes (double-click a keyframe). A ``gr.HTML`` custom component; its value is JSON (``value``).

The browser only draws and reports edits (``trigger('edit', {op, index, t, d})``); the rules (limits, neighbours,
2-10 keyframes) and the curve itself (monotone cubic) are ``interp.core.keyframes`` and ``interp.core.curves`` in
Python. While a keyframe is dragged the browser draws the edited curve as straight segments through its keyframes,
the dragged one kept ``MIN_GAP`` from its neighbours and on the ``STEP`` grid, where Python puts it too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

import gradio as gr
import numpy as np

from interp.core.colors import BACKGROUND_COLOR, object_color, to_hex
from interp.core.curves import Curve
from interp.core.keyframes import MIN_GAP, STEP

#: Points per curve drawn (the editable curve's shape between keyframes comes from Python's PCHIP).
SAMPLES = 41

JS = """
const W = 360, H = 190, L = 30, R = 8, T = 8, B = 20, GAP = MIN_GAP, STEP = GRID_STEP;
let data = null, keys = [], drag = null, moved = false;
const clamp = (v, a, b) => Math.min(b, Math.max(a, v));
const grid = v => Math.round(v / STEP) * STEP;
const px = t => L + t * (W - L - R), py = d => T + (1 - d) * (H - T - B);
const line = pts => pts.map(([t, d]) => px(t).toFixed(1) + ',' + py(d).toFixed(1)).join(' ');
function at(ev) {
  const svg = element.querySelector('svg'), box = svg.getBoundingClientRect();
  const x = (ev.clientX - box.left) * W / box.width, y = (ev.clientY - box.top) * H / box.height;
  return [clamp((x - L) / (W - L - R), 0, 1), clamp(1 - (y - T) / (H - T - B), 0, 1)];
}
function draw() {
  if (!data) { element.innerHTML = ''; return; }
  let s = '<div class="ce-title">' + data.title + '</div><svg class="ce-svg" viewBox="0 0 ' + W + ' ' + H + '">';
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    s += '<line class="ce-grid" x1="' + px(0) + '" x2="' + px(1) + '" y1="' + py(v) + '" y2="' + py(v) + '"/>';
    s += '<line class="ce-grid" x1="' + px(v) + '" x2="' + px(v) + '" y1="' + py(0) + '" y2="' + py(1) + '"/>';
    s += '<text class="ce-label" x="' + (L - 4) + '" y="' + (py(v) + 3) + '" text-anchor="end">' + v + '</text>';
    s += '<text class="ce-label" x="' + px(v) + '" y="' + (H - 6) + '" text-anchor="middle">' + v + '</text>';
  }
  for (const c of data.curves) {
    const pts = c.editable && drag !== null ? keys : c.points;
    s += '<polyline fill="none" stroke="' + c.color + '" stroke-width="' + (c.editable ? 3 : 1.5) + '"' +
      (c.dashed ? ' stroke-dasharray="5 4"' : '') + ' points="' + line(pts) + '"/>';
  }
  keys.forEach(([t, d], i) => {
    s += '<circle class="ce-key" data-i="' + i + '" cx="' + px(t) + '" cy="' + py(d) + '" r="6" fill="' +
      data.color + '"/>';
  });
  element.innerHTML = s + '</svg>';
}
function load() {
  try { data = JSON.parse(props.value || 'null'); } catch (e) { data = null; }
  if (drag === null) keys = data ? data.keyframes.map(k => k.slice()) : [];
  draw();
}
element.addEventListener('pointerdown', ev => {
  const key = ev.target.closest('.ce-key');
  moved = false;
  if (key) { drag = +key.dataset.i; ev.preventDefault(); }
});
document.addEventListener('pointermove', ev => {
  if (drag === null) return;
  const [t, d] = at(ev), n = keys.length, end = drag === 0 || drag === n - 1;
  const low = end ? 0 : keys[drag - 1][0] + GAP, high = end ? 1 : keys[drag + 1][0] - GAP;
  keys[drag] = [end || low > high ? keys[drag][0] : clamp(grid(t), low, high), grid(d)];
  moved = true;
  draw();
});
document.addEventListener('pointerup', () => {
  if (drag === null) return;
  const index = drag;
  drag = null;
  if (moved) trigger('edit', {op: 'move', index: index, t: keys[index][0], d: keys[index][1]});
});
element.addEventListener('click', ev => {
  if (moved) { moved = false; return; }
  if (!keys.length || !ev.target.closest('svg') || ev.target.closest('.ce-key')) return;
  const [t, d] = at(ev);
  trigger('edit', {op: 'add', t: t, d: d});
});
element.addEventListener('dblclick', ev => {
  const key = ev.target.closest('.ce-key');
  if (key) trigger('edit', {op: 'remove', index: +key.dataset.i});
});
watch('value', load);
load();
""".replace("MIN_GAP", repr(MIN_GAP)).replace("GRID_STEP", repr(STEP))

CSS = """
.ce-title { font-size: var(--block-info-text-size); color: var(--block-info-text-color); margin-bottom: 2px; }
.ce-svg { width: 100%; height: auto; display: block; touch-action: none; user-select: none; cursor: crosshair; }
.ce-grid { stroke: #e3e3e3; stroke-width: 1; }
.ce-label { font-size: 9px; fill: #777; }
.ce-key { stroke: #000; stroke-width: 1.5; cursor: grab; }
"""


class HasCurve(Protocol):
    curve: Curve


class CurveHolder(Protocol):
    """What the editor shows: objects with curves, the selected one, the background's curve (a two-frame
    ``interp.app.session.Session`` or a clip page's ``interp.app.clip_session.ClipSession``)."""

    background: Curve
    selected: int | None

    @property
    def objects(self) -> Sequence[HasCurve]: ...


def curve_editor(elem_id: str) -> gr.HTML:
    """An empty curve editor (its value comes from ``editor_value``); ``.edit(fn)`` hears the user's edits."""
    return gr.HTML(
        value=None, html_template="", css_template=CSS, js_on_load=JS, elem_id=elem_id, padding=False, min_height=200
    )


def _sampled(curve: Curve) -> list[list[float]]:
    t = np.linspace(0.0, 1.0, SAMPLES)
    return np.round(np.stack([t, curve(t)], axis=1), 4).tolist()


def editor_value(session: CurveHolder, background: bool, title: str) -> str:
    """The editor's JSON: every curve sampled (objects in their colours, the background grey and dashed) and the
    keyframes of the one it edits: the background's, or the selected object's (none when no object is selected).

    ``title`` is shown as HTML: pass fixed text, never a user's string.
    """
    editable = None if background else session.selected
    curves = [{"color": to_hex(BACKGROUND_COLOR), "dashed": True, "editable": background, "curve": session.background}]
    for index, obj in enumerate(session.objects):
        curves.append(
            {"color": to_hex(object_color(index)), "dashed": False, "editable": index == editable, "curve": obj.curve}
        )
    curves.sort(key=lambda c: c["editable"])  # the edited curve on top
    edited = next((c for c in curves if c["editable"]), None)
    edited_curve = edited["curve"] if edited else None
    value = {
        "title": title,
        "curves": [{"points": _sampled(c.pop("curve")), **c} for c in curves],
        "keyframes": [list(k) for k in edited_curve.keyframes] if edited else [],
        "color": edited["color"] if edited else "#000000",
    }
    return json.dumps(value)
