"""Notices (one-line messages the engine logs to metrics.jsonl) reach the terminal as they happen, once each."""
from tests.backend.helpers import TINY_ARGS, gs

SMALL = "dataset 'glyphs' has 8 items, fewer than train.batch_size=16: training with batches of 8"


def notice_lines(capsys) -> tuple[list[str], list[str]]:
    """(all stderr lines, the notice lines) of the command just run."""
    lines = capsys.readouterr().err.splitlines()
    return lines, [line for line in lines if line.startswith("notice: ")]


def test_train_prints_each_notice_with_the_report_it_came_with(tmp_path, capsys):
    run = tmp_path / "run"
    assert gs("train", "--run-dir", run, "--steps", 10, *TINY_ARGS, "--set", "data.n=8") == 0
    lines, notices = notice_lines(capsys)
    assert notices == [f"notice: {SMALL}"]
    first_report = next(i for i, line in enumerate(lines) if line.startswith("step "))
    assert lines.index(notices[0]) < first_report  # said with the first report, not at the end
    # A resume trains with the saved batch of 8, so it has nothing new to say; the earlier row is not said again.
    assert gs("resume", run, "--steps", 15) == 0
    lines, notices = notice_lines(capsys)
    assert notices == [] and any(line.startswith("step 15/15") for line in lines)
