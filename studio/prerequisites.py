"""Linux desktop prerequisites: the system libraries Qt's xcb platform plugin loads, checked before Qt aborts.

PySide6's wheels bundle Qt but not the X11 helper libraries its xcb plugin links against. Without them Qt
prints "Could not load the Qt platform plugin xcb" and aborts the process. We look first and print the one
command that installs what is missing, then exit with code 2. Offscreen use (tests, ``tour``, the CLI) and
other platforms need none of this.
"""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

# soname -> (Debian/Ubuntu package, Fedora package): what Qt 6's xcb plugin needs beyond libX11 and libxcb.
XCB_LIBRARIES = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
}
EXIT_MISSING = 2


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def unresolved_by_ldd() -> list[str]:
    """Libraries ``ldd`` reports "not found" for the xcb plugin (catches needs a newer Qt adds); [] without ldd."""
    ldd = shutil.which("ldd")
    try:
        import PySide6
    except ImportError:
        return []
    qt = Path(PySide6.__file__).parent / "Qt"
    files = [qt / "plugins" / "platforms" / "libqxcb.so", *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]]
    found: list[str] = []
    for f in files:
        if not ldd or not f.is_file():
            continue
        try:
            out = subprocess.run([ldd, str(f)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found += re.findall(r"^\s*(\S+)\s+=>\s+not found", out, flags=re.M)
    return found


def missing_libraries(loads: Callable[[str], bool] = _loads,
                      unresolved: Callable[[], list[str]] = unresolved_by_ldd) -> list[str]:
    """The xcb plugin's libraries that do not load, in a stable order."""
    names = list(XCB_LIBRARIES) + [n for n in unresolved() if n not in XCB_LIBRARIES]
    return list(dict.fromkeys(n for n in names if not loads(n)))


def distribution(os_release: Path = Path("/etc/os-release")) -> str:
    """"debian" (Debian, Ubuntu, Mint...), "fedora" (Fedora, RHEL, Rocky...) or "" when unknown."""
    try:
        text = os_release.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    ids = " ".join(re.findall(r'^(?:ID|ID_LIKE)="?([^"\n]*)"?', text, flags=re.M)).lower().split()
    if {"debian", "ubuntu"} & set(ids):
        return "debian"
    if {"fedora", "rhel", "centos"} & set(ids):
        return "fedora"
    return ""


def install_commands(missing: list[str], distro: str) -> list[str]:
    """The one-line install command(s) for ``missing``: for ``distro``, or for both families when unknown."""
    debian = sorted({XCB_LIBRARIES[n][0] if n in XCB_LIBRARIES else _debian_guess(n) for n in missing})
    fedora = sorted({XCB_LIBRARIES[n][1] if n in XCB_LIBRARIES else f"'{n}()(64bit)'" for n in missing})
    sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
    apt = f"{sudo}apt-get install -y " + " ".join(debian)
    dnf = f"{sudo}dnf install -y " + " ".join(fedora)
    return {"debian": [apt], "fedora": [dnf]}.get(distro, [f"{apt}    # Debian, Ubuntu", f"{dnf}    # Fedora"])


def _debian_guess(soname: str) -> str:
    """Debian names a library's package after its soname: libfoo-bar.so.1 -> libfoo-bar1 (libfoo2.so.0 -> libfoo2-0)."""
    base, _, version = soname.partition(".so.")
    major = version.split(".")[0]
    return f"{base}-{major}" if base[-1:].isdigit() else f"{base}{major}"


def uses_xcb(env=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will pick its xcb plugin: Linux, and no other platform chosen (offscreen, wayland, vnc...)."""
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen:
        return chosen == "xcb"
    return not env.get("WAYLAND_DISPLAY")  # Qt prefers its wayland plugin in a Wayland session


def check(env=os.environ, platform: str = sys.platform, loads: Callable[[str], bool] | None = None,
          unresolved: Callable[[], list[str]] = unresolved_by_ldd, distro: str | None = None) -> str | None:
    """A message naming the missing libraries and the command that installs them, or None when all is well."""
    if not uses_xcb(env, platform):
        return None
    missing = missing_libraries(loads or _loads, unresolved)
    if not missing:
        return None
    commands = install_commands(missing, distribution() if distro is None else distro)
    return ("GAN Studio's window needs system libraries that Qt's xcb platform plugin loads, and these are "
            f"missing: {', '.join(missing)}.\nInstall them with:\n  " + "\n  ".join(commands) +
            "\nThen run the command again. (The CLI and `gan-studio tour` need none of them.)")
