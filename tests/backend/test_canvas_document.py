"""The paint view's Qt-free state: CanvasDocument (operations, undo/redo), the tools, label files, autosave."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.state.canvas import CanvasDocument
from studio.state.label_files import (Autosave, Classes, load_label_map, read_autosave, read_palette_json,
                                      save_label_map, write_autosave)
from studio.state.paint_tools import Gesture, ToolSettings

SKY, WATER, GRASS, TREE = 0, 5, 7, 8


def test_paint_state_imports_neither_qt_nor_torch():
    code = ("import sys, studio.state.canvas, studio.state.paint_tools, studio.state.label_files; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'torch'))]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_round_and_square_dabs_cover_the_brush():
    doc = CanvasDocument(side=64)
    doc.stroke((20.5, 20.5), (20.5, 20.5), size=9, cls=GRASS)  # a dab centred on pixel (20, 20)
    painted = doc.labels == GRASS
    assert painted[20, 16] and painted[20, 24] and painted[16, 20] and painted[24, 20]  # radius 4.5 each way
    assert not painted[16, 16] and not painted[20, 25]  # round: the corners of the 9x9 square stay
    assert painted.sum() == pytest.approx(np.pi * 4.5 ** 2, rel=0.12)
    doc.stroke((40.5, 40.5), (40.5, 40.5), size=9, cls=TREE, square=True)
    square = np.argwhere(doc.labels == TREE)
    assert square.min(0).tolist() == [36, 36] and square.max(0).tolist() == [44, 44] and len(square) == 81


def test_a_fast_drag_leaves_no_gaps_and_one_pixel_brushes_are_one_pixel_wide():
    doc = CanvasDocument(side=64)
    doc.stroke((2.5, 10.5), (60.5, 10.5), size=1, cls=WATER)
    assert (doc.labels[10, 2:61] == WATER).all() and (doc.labels == WATER).sum() == 59
    doc.stroke((5, 5), (60, 58), size=4, cls=TREE, square=True)  # diagonal: every row between is touched
    rows = np.flatnonzero((doc.labels == TREE).any(1))
    assert rows.min() <= 5 and rows.max() >= 57 and len(rows) == rows.max() - rows.min() + 1


def test_undo_redo_restore_the_exact_map_for_150_steps():
    rng = np.random.default_rng(0)
    doc = CanvasDocument(side=96)
    history = [doc.labels.copy()]
    for i in range(150):
        p0, p1 = rng.uniform(0, 96, 2), rng.uniform(0, 96, 2)
        op = i % 4
        if op == 0:
            doc.stroke(p0, p1, size=rng.integers(1, 30), cls=int(rng.integers(10)), square=bool(i % 8))
        elif op == 1:
            doc.rectangle(p0, p1, int(rng.integers(10)), filled=bool(i % 3), width=3)
        elif op == 2:
            doc.ellipse(p0, p1, int(rng.integers(10)))
        else:
            doc.fill(p0, int(rng.integers(10)))
        if not np.array_equal(doc.labels, history[-1]):
            history.append(doc.labels.copy())
    assert len(doc.undo_stack) == len(history) - 1 > 100
    for expected in reversed(history[:-1]):
        assert doc.undo() and np.array_equal(doc.labels, expected)
    assert not doc.undo()
    for expected in history[1:]:
        assert doc.redo() and np.array_equal(doc.labels, expected)
    stored = sum(len(e.before) + len(e.after) for e in doc.undo_stack)
    assert stored < 150 * 96 * 96 // 8  # compressed boxes, far below a full copy per step


def test_history_is_capped_and_a_new_edit_clears_redo():
    doc = CanvasDocument(side=16, max_undo=100)
    for i in range(120):
        doc.stroke((i % 16, 0), (i % 16, 0), size=1, cls=1 + (i // 16) % 2)  # each dab changes a pixel
    assert len(doc.undo_stack) == 100
    doc.undo()
    assert doc.redo_stack
    doc.stroke((5, 5), (5, 5), size=1, cls=9)
    assert not doc.redo_stack


def test_a_stroke_is_one_step_and_revert_drops_a_shape_preview():
    doc = CanvasDocument(side=32)
    doc.begin()
    for x in range(5, 25):
        doc.stroke((x, 8), (x + 1, 8), size=3, cls=GRASS)
    assert doc.end() and len(doc.undo_stack) == 1
    before = doc.labels.copy()
    doc.begin()
    doc.rectangle((0, 0), (31, 31), TREE)
    doc.revert()
    assert np.array_equal(doc.labels, before) and not doc.end()  # nothing changed: no empty undo step
    assert len(doc.undo_stack) == 1


def test_shapes_fill_and_pick():
    doc = CanvasDocument(side=32)
    doc.rectangle((4.2, 6.9), (9.7, 2.1), WATER)  # corners in any order, both corner pixels included
    assert np.argwhere(doc.labels == WATER).min(0).tolist() == [2, 4]
    assert np.argwhere(doc.labels == WATER).max(0).tolist() == [6, 9]
    doc.rectangle((12, 12), (21, 21), TREE, filled=False, width=2)
    assert doc.labels[12, 15] == TREE and doc.labels[13, 15] == TREE and doc.labels[14, 15] == SKY
    doc.ellipse((0, 20), (11, 31), GRASS)
    assert doc.labels[25, 5] == GRASS and doc.labels[20, 0] == SKY  # centre in, corner out
    doc.fill((17, 17), SKY)  # inside the outline: already sky, nothing to do
    doc.fill((16, 16), WATER)  # the hole inside the rectangle outline only
    assert (doc.labels[14:20, 14:20] == WATER).all() and doc.labels[0, 31] == SKY
    assert doc.pick((5.5, 3.5)) == WATER and doc.pick((-1, 3)) is None and doc.pick((32, 0)) is None


def test_fill_is_four_connected():
    doc = CanvasDocument(side=8)
    labels = np.zeros((8, 8), np.uint8)
    labels[np.arange(8), np.arange(8)] = TREE  # a diagonal wall: the two triangles touch only at corners
    doc.reset(labels)
    doc.fill((0.5, 7.5), WATER)  # lower-left triangle
    assert (doc.labels[np.tril_indices(8, -1)] == WATER).all() and (doc.labels[np.triu_indices(8, 1)] == SKY).all()


def test_replace_and_resize_undo():
    doc = CanvasDocument(side=32)
    doc.stroke((3, 3), (20, 20), 5, GRASS)
    painted = doc.labels.copy()
    doc.replace(np.full((64, 64), TREE, np.uint8))
    assert doc.shape == (64, 64)
    doc.undo()
    assert np.array_equal(doc.labels, painted)
    doc.clear(WATER)
    assert (doc.labels == WATER).all()
    doc.undo()
    assert np.array_equal(doc.labels, painted)


def test_gesture_brush_line_and_eyedropper():
    doc, settings, picked = CanvasDocument(side=64), ToolSettings(tool="line", cls=WATER, size=3), []
    gesture = Gesture(doc, settings, picked.append)
    gesture.press((5, 30))
    for x in range(6, 60, 7):
        gesture.move((x, 10 + x))  # a wobbly drag: only the final straight line stays
    gesture.release((60, 30.5))
    assert (doc.labels[29:32, 6:59] == WATER).all() and (doc.labels == WATER).sum() < 3 * 60
    assert len(doc.undo_stack) == 1
    settings.tool = "eyedropper"
    gesture.press((30, 30))
    assert picked == [WATER]
    settings.tool, settings.cls = "brush", TREE
    gesture.press((10, 50))
    gesture.move((20, 50))
    gesture.cancel()  # Escape: the stroke so far is taken back
    assert not (doc.labels == TREE).any() and len(doc.undo_stack) == 1


def test_label_png_round_trips_and_bad_files_are_named(tmp_path):
    classes = read_palette_json()
    labels = np.random.default_rng(1).integers(0, len(classes), (48, 48)).astype(np.uint8)
    for colour in (False, True):
        path = tmp_path / f"map_{colour}.png"
        save_label_map(labels, path, classes.colours, colour_coded=colour)
        with Image.open(path) as im:
            assert im.mode == ("RGB" if colour else "P")
        again, note = load_label_map(path, classes.colours, 48)
        assert np.array_equal(again, labels) and note == ""
    resized, note = load_label_map(tmp_path / "map_False.png", classes.colours, 96)
    assert resized.shape == (96, 96) and np.array_equal(resized[::2, ::2], labels) and "map_False.png" in note
    Image.fromarray(np.full((8, 8), 42, np.uint8)).save(tmp_path / "bad.png")
    with pytest.raises(ValueError, match=r"bad\.png.*42"):
        load_label_map(tmp_path / "bad.png", classes.colours, 48)
    (tmp_path / "junk.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"junk\.png"):
        load_label_map(tmp_path / "junk.png", classes.colours, 48)


def test_autosave_round_trip_and_damaged_autosave_is_ignored(tmp_path):
    classes = Classes(["a", "b", "c"], np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0]], np.uint8))
    labels = np.random.default_rng(2).integers(0, 3, (32, 32)).astype(np.uint8)
    write_autosave(tmp_path, Autosave(labels, classes, "/runs/x", 77))
    back = read_autosave(tmp_path)
    assert np.array_equal(back.labels, labels) and back.classes.names == ["a", "b", "c"]
    assert back.model == "/runs/x" and back.seed == 77 and np.array_equal(back.classes.colours, classes.colours)
    assert read_autosave(tmp_path / "none") is None
    (tmp_path / "paint_autosave.json").write_text("{broken")
    assert read_autosave(tmp_path) is None
