"""The design card's one fixed rule: importing every gan_backend module loads no Qt."""
import subprocess
import sys
from pathlib import Path

CODE = """
import importlib, pkgutil, sys
import gan_backend
names = [m.name for m in pkgutil.walk_packages(gan_backend.__path__, "gan_backend.")]
for name in names:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.startswith(("PySide6", "PyQt", "pyqtgraph", "shiboken")))
print(len(names), bad)
sys.exit(1 if bad or len(names) < 20 else 0)
"""


def test_backend_never_imports_qt():
    # A fresh interpreter: GUI tests in this process may have imported Qt already.
    proc = subprocess.run([sys.executable, "-c", CODE], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
