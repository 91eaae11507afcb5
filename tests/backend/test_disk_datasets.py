"""Datasets from disk, the folder kind: every picture mode decodes right, every bad input is named, the cache works.

Files are built in tmp_path by ``diskdata_factory``; every open uses a cache folder inside
tmp_path so tests never share (or litter) the system temp cache. The other layouts (CIFAR-10,
npz, paired, labels, unpaired) and export round trips are in ``test_disk_layouts.py``.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gan_backend.cli import main as cli_main
from gan_backend.data import ArrayDataset, DatasetError, cache, config_options, pipeline, scan
from gan_backend.data.transforms import resize_dataset
from tests.backend import diskdata_factory as make
from tests.backend.diskdata_factory import open_dir, summary

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared/data/photos"

# --- decoding every mode ---

def test_modes_decode_to_the_colours_a_viewer_shows(tmp_path):
    d = tmp_path / "modes"
    d.mkdir()
    make.rgba(d / "a_rgba.png", (0, 0, 255, 128))  # half-transparent blue on white
    make.palette_png(d / "b_palette.png", (10, 200, 30))
    make.solid(d / "c_cmyk.jpg", (0, 255, 255, 0), (8, 8), "CMYK", quality=100)  # CMYK red
    make.two_frame_gif(d / "d_anim.gif", first=make.GREEN, second=make.RED)
    make.solid(d / "e.tiff", (1, 2, 3), (8, 8))
    make.solid(d / "f.webp", (4, 5, 6), (8, 8), lossless=True)
    make.solid(d / "g.bmp", (7, 8, 9), (8, 8))
    data = open_dir("folder", d, tmp_path, image_size=8)
    assert data.x.shape == (7, 8, 8, 3) and not data.report.skipped
    centre = data.x[:, 4, 4].astype(int)
    assert abs(centre[0] - [127, 127, 255]).max() <= 1
    assert centre[1].tolist() == [10, 200, 30]
    assert centre[2][0] > 200 and centre[2][1:].max() < 60
    assert centre[3].tolist() == list(make.GREEN)  # the GIF's first frame, not its last
    assert centre[4:].tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_background_option_sets_what_transparency_becomes(tmp_path):
    (tmp_path / "d").mkdir()
    make.rgba(tmp_path / "d" / "clear.png", (255, 0, 0, 0))
    assert open_dir("folder", tmp_path / "d", tmp_path).x[0, 0, 0].tolist() == [255, 255, 255]
    assert open_dir("folder", tmp_path / "d", tmp_path, background="black").x[0, 0, 0].tolist() == [0, 0, 0]


def test_16_bit_grey_is_scaled_not_clipped_and_grey_stays_one_channel(tmp_path):
    d = tmp_path / "grey"
    d.mkdir()
    make.grey16(d / "a_white.png", 65535)
    make.grey16(d / "b_mid.png", 257 * 100)
    make.solid(d / "c_l.png", 42, (8, 8), "L")
    data = open_dir("folder", d, tmp_path)
    assert data.x.shape == (3, 8, 8, 1)
    assert data.x[:, 4, 4, 0].tolist() == [255, 100, 42]
    make.solid(d / "d_rgb.png", make.RED, (8, 8))
    assert open_dir("folder", d, tmp_path).x.shape == (4, 8, 8, 3)  # one colour picture makes it RGB


def test_exif_orientation_is_applied(tmp_path):
    (tmp_path / "d").mkdir()
    make.exif_rotated_jpeg(tmp_path / "d" / "phone.jpg")
    x = open_dir("folder", tmp_path / "d", tmp_path, image_size=20).x[0].astype(int)
    assert x[2, 10, 0] > 200 and x[2, 10, 2] < 60  # upright: red on top
    assert x[17, 10, 2] > 200 and x[17, 10, 0] < 60  # and blue below


def test_real_photos_of_mixed_sizes_and_modes(tmp_path):
    if not PHOTOS.is_dir():
        pytest.skip(f"{PHOTOS} not present")
    data = open_dir("folder", PHOTOS, tmp_path)
    assert data.x.shape[1:] == (64, 64, 3) and len(data) == len(list(PHOTOS.glob("*.*")))
    assert data.report.sizes_seen["min"] != data.report.sizes_seen["max"] and not data.report.skipped
    assert data.x.std() > 20  # real pictures, not blank


# --- bad input: one message naming the file and the reason ---

@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "folder is empty"),
    (lambda d: [(d / n).write_text("x") for n in ("notes.txt", "data.csv")], "no image files"),
])
def test_unusable_folders_raise_one_clear_error(tmp_path, setup, message):
    d = tmp_path / "d"
    d.mkdir()
    setup(d)
    with pytest.raises(DatasetError, match=message) as err:
        open_dir("folder", d, tmp_path)
    assert str(d) in str(err.value)


def test_missing_path_is_named(tmp_path):
    with pytest.raises(DatasetError, match="no such folder") as err:
        open_dir("folder", tmp_path / "nowhere", tmp_path)
    assert "nowhere" in str(err.value)


def test_bad_files_are_skipped_and_reported_by_name(tmp_path):
    d = tmp_path / "d"
    for i in range(3):
        make.noise_png(d / "cats" / f"ok{i}.png", seed=i)
    (d / "dogs").mkdir()  # empty class folder
    (d / "cats" / "empty.png").write_bytes(b"")
    make.truncated(d / "cats" / "cut.jpg", "JPEG")
    make.truncated(d / "cats" / "cut.png", "PNG")
    (d / "cats" / "fake.png").write_text("this is text, not a PNG")
    make.bomb_png(d / "cats" / "bomb.png")
    (d / "cats" / "readme.txt").write_text("hello")
    data = open_dir("folder", d, tmp_path)
    reasons = {Path(s.path).name: s.reason for s in data.report.skipped}
    assert len(data) == 3 and data.class_names == ["cats"]
    assert reasons["dogs"].startswith("empty class folder")
    assert reasons["empty.png"] == "zero bytes"
    assert reasons["cut.jpg"].startswith("truncated") and reasons["cut.png"].startswith("truncated")
    assert reasons["fake.png"].startswith("not an image")
    assert reasons["bomb.png"] == "decompression-bomb sized (30000 x 30000)"
    assert reasons["readme.txt"].startswith("not an image file type")
    text = summary(data)
    assert all(f"{name}: {reason}" in text for name, reason in reasons.items())


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pictures_over_the_pixel_limit_are_skipped(tmp_path, monkeypatch):
    d = tmp_path / "d"
    make.solid(d / "small.png", size=(4, 4))
    make.solid(d / "over.png", size=(10, 15))  # over the limit: Pillow only warns, our check skips
    make.solid(d / "far_over.png", size=(16, 16))  # over twice the limit: Pillow refuses to open it
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    data = open_dir("folder", d, tmp_path)
    assert len(data) == 1
    assert {(Path(s.path).name, s.reason) for s in data.report.skipped} == {
        ("over.png", "decompression-bomb sized (10 x 15)"), ("far_over.png", "decompression-bomb sized (16 x 16)")}


def test_file_turning_bad_after_the_scan_is_skipped_and_counted(tmp_path, monkeypatch):
    d = tmp_path / "d"
    files = [make.noise_png(d / f"{i}.png", seed=i) for i in range(4)]
    real_probe = pipeline.probe

    def probe_then_break(path, part="full"):
        found = real_probe(path, part)
        if path == files[2]:
            path.write_bytes(path.read_bytes()[:400])  # cut after its header was read
        return found

    monkeypatch.setattr(pipeline, "probe", probe_then_break)
    data = open_dir("folder", d, tmp_path)
    assert len(data) == 3 and [Path(s.path).name for s in data.report.skipped] == ["2.png"]
    assert data.report.skipped[0].reason.startswith(("truncated", "corrupt"))


def test_unreadable_folder_is_named(tmp_path):
    d = tmp_path / "locked"
    make.noise_png(d / "a.png")
    d.chmod(0)
    try:
        if os.access(d, os.R_OK):
            pytest.skip("running as root: chmod does not lock the folder")
        with pytest.raises(DatasetError, match="permission denied"):
            open_dir("folder", d, tmp_path)
    finally:
        d.chmod(0o755)


def test_permission_errors_while_listing_are_named(tmp_path, monkeypatch):
    """The same paths as above, reached even as root: os.scandir refusing a folder."""
    d = tmp_path / "d"
    make.noise_png(d / "cats" / "a.png")
    make.noise_png(d / "dogs" / "b.png")
    real = scan.entries

    def refuse(folder, locked=(d / "dogs",)):
        if folder in locked:
            raise PermissionError(13, "Permission denied")
        return real(folder)

    monkeypatch.setattr(scan, "entries", refuse)
    data = open_dir("folder", d, tmp_path)
    assert data.class_names == ["cats"] and [(Path(s.path).name, s.reason) for s in data.report.skipped] == [
        ("dogs", "unreadable folder (Permission denied)")]
    monkeypatch.setattr(scan, "entries", lambda folder: refuse(folder, locked=(d,)))
    with pytest.raises(DatasetError, match=r"d: cannot read \(Permission denied\)"):
        open_dir("folder", d, tmp_path)


# --- speed: the cache ---

def test_second_open_reads_the_cache_and_a_changed_file_decodes_again(tmp_path):
    d = tmp_path / "d"
    files = [make.noise_png(d / f"{i}.png", seed=i) for i in range(5)]
    first = open_dir("folder", d, tmp_path)
    again = open_dir("folder", d, tmp_path)
    assert "cache: read from" in summary(again) and np.array_equal(first.x, again.x)
    make.noise_png(files[0], seed=99)
    os.utime(files[0], ns=(1, 1))  # a new mtime even on coarse clocks
    changed = open_dir("folder", d, tmp_path)
    assert "cache: stored" in summary(changed) and not np.array_equal(changed.x[0], first.x[0])


def test_large_decodes_go_to_a_memory_mapped_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MEMORY_LIMIT", 0)
    d = tmp_path / "d"
    for i in range(6):
        make.noise_png(d / f"{i}.png", seed=i)
    (d / "bad.png").write_bytes(b"")
    first = open_dir("folder", d, tmp_path)
    again = open_dir("folder", d, tmp_path)
    assert isinstance(first.x, np.memmap) and isinstance(again.x, np.memmap)
    assert len(again) == 6 and np.array_equal(np.asarray(first.x), np.asarray(again.x))


# --- the CLI, resizing, the engine ---

def test_cli_inspect_prints_the_summary_and_writes_thumbnails(tmp_path, capsys):
    d = tmp_path / "d"
    for i in range(4):
        make.noise_png(d / f"{i}.png", seed=i)
    (d / "broken.png").write_text("not a png")
    thumbs = tmp_path / "thumbs.png"
    args = ["datasets", "inspect", f"folder:{d}", "--thumbs", str(thumbs), "--cache-dir", str(tmp_path / "c")]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    assert "4 items, kind image" in out and "broken.png: not an image" in out
    assert Image.open(thumbs).size[0] > 32
    assert cli_main(["datasets", "inspect", f"folder:{tmp_path / 'missing'}"]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert cli_main(["datasets", "export", f"folder:{d}", "--n", "3", "--out", str(tmp_path / "out")]) == 0
    assert "wrote 3 items" in capsys.readouterr().out and len(list((tmp_path / "out").glob("*.png"))) == 3


def test_resize_dataset_resizes_pictures_and_label_maps(tmp_path):
    segmap = np.zeros((2, 8, 8), np.uint8)
    segmap[:, 4:] = 3
    data = ArrayDataset("t", "paired", np.full((2, 8, 8, 3), 200, np.uint8), None, [], {"segmap": segmap})
    big = resize_dataset(data, 16)
    assert big.x.shape == (2, 16, 16, 3) and big.report.shape == (16, 16, 3) and (big.x == 200).all()
    assert big.extra["segmap"].shape == (2, 16, 16) and set(np.unique(big.extra["segmap"])) == {0, 3}


def test_a_short_training_run_on_a_folder(tmp_path):
    from gan_backend.engine.loop import Trainer
    from tests.backend.helpers import tiny_config

    for i in range(32):
        make.noise_png(tmp_path / "d" / ("ab"[i % 2]) / f"{i}.png", seed=i)
    cfg = tiny_config(tmp_path / "run", dataset=f"folder:{tmp_path / 'd'}", steps=2, data__cache_dir="off")
    ended = list(Trainer.new(cfg).run())[-1]
    assert ended.reason == "done" and ended.step == 2


def test_config_options_pass_reading_fields_only_to_kinds_that_take_them(tmp_path):
    from gan_backend.config import DataConfig

    folder = DataConfig(dataset=f"folder:{tmp_path}", image_size=48, crop="random", split="test")
    assert config_options(folder) == {"image_size": 48, "crop": "random", "background": "white", "cache_dir": "",
                                      "split": "test"}
    assert config_options(DataConfig(dataset="glyphs", image_size=48)) == {}
