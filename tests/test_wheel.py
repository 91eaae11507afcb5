"""The wheel alone is a complete install: built, installed into a fresh environment and run outside the clone."""
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("gan_backend", "studio", "pyproject.toml", "README.md")


def run(cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, **kw)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout[-1500:]}{proc.stderr[-1500:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a clean copy of the sources, so no stale build/ folder of the clone can leak into it."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, src / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                         if (ROOT / name).is_dir() else {}))
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, src])
    return next(out.glob("gan_studio-*.whl"))


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory, wheel) -> Path:
    """A new virtual environment that reuses this one's installed dependencies (no download) plus the wheel."""
    env = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", "--without-pip", env])
    site = Path(run([env / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                .stdout.strip())
    # A plain path line: the dependencies' folder joins sys.path, but its .pth files (the clone's editable
    # install among them) are not run, so gan_backend can only come from the wheel.
    (site / "zz_reuse_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install", "--no-deps", "--no-index", "-q",
         wheel])
    return env


def test_the_wheel_carries_the_shipped_models_palettes_classifiers_and_lessons(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("models/painter/painter.pt", "models/painter/palette.json", "models/translator/translator.pt",
                    "classifiers/glyphs.pt", "classifiers/shapes.pt"):
        assert f"gan_backend/resources/{shipped}" in names, shipped
    lessons = sorted(p.name for p in (ROOT / "gan_backend" / "lessons" / "texts").glob("*.md"))
    assert len(lessons) >= 8 and all(f"gan_backend/lessons/texts/{name}" in names for name in lessons)
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]


@pytest.mark.slow
def test_installed_wheel_lists_synthesizes_and_translates_outside_the_clone(fresh_env, tmp_path):
    gs = fresh_env / "bin" / "gan-studio"
    where = run([fresh_env / "bin" / "python", "-c", "import gan_backend, studio; print(gan_backend.__file__)"],
                cwd=tmp_path).stdout
    assert where.startswith(str(fresh_env)), where
    assert "spade" in run([gs, "list", "models"], cwd=tmp_path).stdout
    labels = np.zeros((64, 64), np.uint8)
    labels[32:] = 1
    Image.fromarray(labels).save(tmp_path / "map.png")
    run([gs, "synthesize", "painter", "--labels", "map.png", "--out", "p.png"], cwd=tmp_path)
    assert Image.open(tmp_path / "p.png").size[0] >= 64
    picture = (np.random.default_rng(0).random((80, 120, 3)) * 255).astype(np.uint8)
    Image.fromarray(picture).save(tmp_path / "in.png")
    run([gs, "translate", "translator", "--in", "in.png", "--out", "t.png"], cwd=tmp_path)
    assert Image.open(tmp_path / "t.png").mode == "RGB"
