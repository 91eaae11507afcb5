"""The Linux desktop check: a library the xcb plugin needs that fails to load is named, with its install command."""
import subprocess
import sys
from pathlib import Path

from studio import prerequisites as pre

ROOT = Path(__file__).resolve().parents[1]


def loads_all_but(*missing):
    return lambda soname: soname not in missing


def test_a_library_that_fails_to_load_is_named_with_the_apt_and_dnf_commands():
    env = {"DISPLAY": ":0"}
    msg = pre.check(env, "linux", loads_all_but("libxcb-cursor.so.0"), unresolved=list, distro="debian")
    assert "missing: libxcb-cursor.so.0." in msg and "apt-get install -y libxcb-cursor0" in msg
    msg = pre.check(env, "linux", loads_all_but("libxcb-icccm.so.4", "libxcb-keysyms.so.1"), unresolved=list,
                    distro="fedora")
    assert "dnf install -y xcb-util-keysyms xcb-util-wm" in msg and "apt-get" not in msg
    both = pre.check(env, "linux", loads_all_but("libxcb-icccm.so.4"), unresolved=list, distro="")
    assert "apt-get install -y libxcb-icccm4" in both and "dnf install -y xcb-util-wm" in both


def test_libraries_only_ldd_knows_get_a_package_guess():
    msg = pre.check({}, "linux", loads_all_but("libxcb-util.so.1"), unresolved=lambda: ["libxcb-util.so.1"],
                    distro="")
    assert "libxcb-util1" in msg and "'libxcb-util.so.1()(64bit)'" in msg


def test_nothing_is_checked_offscreen_on_wayland_or_off_linux():
    broken = loads_all_but(*pre.XCB_LIBRARIES)
    assert pre.check({"QT_QPA_PLATFORM": "offscreen"}, "linux", broken, unresolved=list) is None
    assert pre.check({"WAYLAND_DISPLAY": "wayland-0"}, "linux", broken, unresolved=list) is None
    assert pre.check({}, "darwin", broken, unresolved=list) is None
    assert pre.check({"QT_QPA_PLATFORM": "xcb"}, "linux", broken, unresolved=list) is not None
    assert pre.check({}, "linux", lambda _: True, unresolved=list) is None


def test_distribution_from_os_release(tmp_path):
    for text, family in [('ID=ubuntu\nID_LIKE=debian\n', "debian"), ('ID="fedora"\n', "fedora"),
                         ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "fedora"), ("ID=arch\n", "")]:
        (tmp_path / "os-release").write_text(text)
        assert pre.distribution(tmp_path / "os-release") == family


def test_window_launch_exits_2_with_the_command_when_a_library_is_missing(tmp_path):
    """The real launcher, with one library made to fail to load (nothing is uninstalled)."""
    code = ("import sys, studio.prerequisites as p, studio.cli as c; real = p._loads; "
            "p._loads = lambda n: n != 'libxcb-cursor.so.0' and real(n); sys.exit(c.main([]))")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    assert "libxcb-cursor.so.0" in proc.stderr and "install -y" in proc.stderr and "Traceback" not in proc.stderr


def test_version_prints_versions_and_folders():
    proc = subprocess.run([sys.executable, "main.py", "--version"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    for fact in ("GAN Studio:", "torch:", "CUDA:", "MPS:", "runs folder:", "dataset cache:"):
        assert fact in proc.stdout
