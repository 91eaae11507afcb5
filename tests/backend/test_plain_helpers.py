"""The single homes of small truths: an exception's first line, grey to RGB, reading metrics.jsonl."""
from __future__ import annotations

import json

import numpy as np
import pytest

from gan_backend.engine.run_dir import RunDir, parse_metric_lines
from gan_backend.errors import first_line
from gan_backend.images import grey_to_rgb, make_grid


@pytest.mark.parametrize("message", ["", "   ", "\n\n"])
def test_an_exception_without_a_message_is_named_by_its_type(message):
    assert first_line(RuntimeError(message)) == "RuntimeError"
    assert first_line(KeyError()) == "KeyError"


def test_first_line_skips_blank_lines_and_is_cut_to_the_limit():
    exc = RuntimeError("\n  size mismatch for conv.weight  \ncopying a param with shape [8] ...")
    assert first_line(exc) == "size mismatch for conv.weight"
    assert first_line(exc, limit=4) == "size"


def test_grey_is_repeated_into_three_channels_and_rgb_is_left_alone():
    grey = np.arange(6, dtype=np.uint8).reshape(1, 2, 3, 1)
    rgb = grey_to_rgb(grey)
    assert rgb.shape == (1, 2, 3, 3) and (rgb == grey).all()
    colour = np.zeros((2, 2, 3), np.uint8)
    assert grey_to_rgb(colour) is colour
    rgba = np.full((1, 2, 2, 4), 9, np.uint8)
    assert make_grid(rgba, pad=0).shape == (2, 2, 3)  # alpha dropped


def test_metric_lines_skip_damaged_lines_and_rows_that_are_not_objects():
    good = [{"step": 1, "loss_d": 0.5}, {"step": 2, "event": "sample", "path": "samples/x.png"}]
    data = b"\n".join([json.dumps(good[0]).encode(), b'{"step": 2, "loss', b"[1, 2]", b"3", b"",
                       json.dumps(good[1]).encode()]) + b"\n"
    assert parse_metric_lines(data) == good
    assert parse_metric_lines(b"".join(json.dumps(r).encode() + b"\n" for r in good)) == good  # the one-parse path


def test_following_metrics_waits_for_a_half_written_line(tmp_path):
    run = RunDir(tmp_path)
    run.metrics_path.write_bytes(b'{"step": 1}\n[2]\n{"step": 3, "lo')
    rows, offset = run.follow_metrics()
    assert rows == [{"step": 1}] and offset == len(b'{"step": 1}\n[2]\n')
    with open(run.metrics_path, "ab") as fh:
        fh.write(b'ss": 1.0}\n')
    assert run.follow_metrics(offset) == ([{"step": 3, "loss": 1.0}], run.metrics_path.stat().st_size)
    assert RunDir(tmp_path / "missing").follow_metrics(7) == ([], 7)
