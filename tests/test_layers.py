"""The shape of the house: import-linter's contracts (pyproject.toml) hold, and no module's imports lead back to it."""
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"  # installed beside this Python by the [test] extra
    done = subprocess.run([str(lint_imports), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def import_cycles(graph) -> list[tuple[str, ...]]:
    """One ring ``a -> b -> ... -> a`` for each direct import ``a -> b`` whose imports lead back to ``a``."""
    rings: dict[frozenset, tuple[str, ...]] = {}
    for a in sorted(graph.modules):
        for b in sorted(graph.find_modules_directly_imported_by(a)):
            back = graph.find_shortest_chain(importer=b, imported=a)
            if back:
                rings.setdefault(frozenset((a, *back)), (a, *back))
    return list(rings.values())


@pytest.mark.parametrize("package", ["gan_backend", "studio"])
def test_no_import_cycles(package):
    cycles = import_cycles(grimp.build_graph(package, cache_dir=None))  # function-level imports count too
    assert not cycles, f"{len(cycles)} import cycles in {package}:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_window_opens_from_studio_and_the_backend_cli_stays_headless(monkeypatch, tmp_path, capsys):
    from gan_backend import cli as backend_cli
    from studio import app
    from studio import cli as studio_cli

    opened = []
    monkeypatch.setattr(app, "main", lambda **kwargs: opened.append(kwargs) or 0)
    assert studio_cli.main([]) == 0 and studio_cli.main(["tour", "--out", str(tmp_path), "--steps", "7"]) == 0
    assert opened == [{}, {"tour_dir": str(tmp_path), "tour_steps": 7}]
    assert studio_cli.main(["list", "losses"]) == 0 and "hinge" in capsys.readouterr().out
    with pytest.raises(SystemExit) as no_subcommand:
        backend_cli.main([])
    assert no_subcommand.value.code == 2 and "gan-studio" in capsys.readouterr().err
