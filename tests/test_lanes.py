"""Recipes side by side (lanes.py): two recipes that wait for each other both finish, what reads their folders
runs after both, and a signal mid-training stops every worker and removes what they half wrote."""

from __future__ import annotations

import signal
from pathlib import Path

from livenotes import Engine, Project
from tests.sites import make_site
from tests.test_interrupts import EXIT_BOUND, PATIENCE, Running, _alive, _children, _wait_for

# a recipe that starts, then waits for its partner to start too: it can only finish when the two run at once
# (one after the other, the first gives up after WAIT seconds and fails)
WAIT = 120
PARTNER = (
    "# livenotes: produces=checkpoints/{me}; timeout=300\n"
    "import os, pathlib, time\n"
    "pathlib.Path('started-{me}').write_text(str(os.getpid()))\n"
    "for _ in range({wait} * 10):\n"
    "    if pathlib.Path('started-{partner}').exists():\n"
    "        break\n"
    "    time.sleep(0.1)\n"
    "else:\n"
    "    raise SystemExit('{partner} never started while {me} ran')\n"
    "pathlib.Path('checkpoints/{me}').mkdir()\n"
    "print('{me} saw {partner} running;', os.environ.get('OMP_WAIT_POLICY'))\n"
)
READER = "import os\nprint([os.path.isdir(p) for p in ('checkpoints/a', 'checkpoints/b')])\n"


def _project(root: Path, wait: int = WAIT) -> Project:
    for folder in ("snippets", "approved", "checkpoints"):
        (root / folder).mkdir()
    (root / "snippets" / "a.py").write_text(PARTNER.format(me="a", partner="b", wait=wait))
    (root / "snippets" / "b.py").write_text(PARTNER.format(me="b", partner="a", wait=wait))
    (root / "snippets" / "reader.py").write_text(READER)
    return Project(root)


def test_two_recipes_train_side_by_side_and_their_reader_runs_after_both(tmp_path: Path) -> None:
    engine = Engine(_project(tmp_path), lanes=2)
    try:
        evaluations = {e.result.snippet: e.result for e in engine.evaluate_all(["reader.py"])}
    finally:
        engine.close()
    assert set(evaluations) == {"a.py", "b.py", "reader.py"}
    assert evaluations["a.py"].stdout == "a saw b running; PASSIVE\n", evaluations["a.py"].failure
    assert evaluations["b.py"].stdout == "b saw a running; PASSIVE\n", evaluations["b.py"].failure
    assert evaluations["reader.py"].stdout == "[True, True]\n"
    pids = {(tmp_path / f"started-{me}").read_text() for me in "ab"}
    assert len(pids) == 2  # two worker processes
    assert engine.worker.starts == 1 and engine.lane_starts == 1
    assert engine.worker_starts == 2


def test_a_recipe_made_from_another_recipes_checkpoint_runs_in_the_engines_own_worker(tmp_path: Path) -> None:
    # made from what a page's snippet (busy.py) reads too, as the browser export is: it runs where that snippet
    # runs and shares its memo; busy.py is still running when it becomes ready, so the idle extra lane would
    # take it if it were allowed to
    snippets = {
        "busy.py": "import os, pathlib, time\n"
        "while not pathlib.Path('checkpoints/a').exists():\n    time.sleep(0.05)\n"
        "time.sleep(2)\nprint(os.getpid())\n",
        "a.py": "# livenotes: produces=checkpoints/a\nimport pathlib\npathlib.Path('checkpoints/a').mkdir()\n",
        "made_from_a.py": "# livenotes: produces=checkpoints/c\nimport os, pathlib\n"
        "assert pathlib.Path('checkpoints/a').is_dir()\npathlib.Path('checkpoints/c').mkdir()\nprint(os.getpid())\n",
    }
    for folder in ("snippets", "approved", "checkpoints"):
        (tmp_path / folder).mkdir()
    for name, text in snippets.items():
        (tmp_path / "snippets" / name).write_text(text)
    engine = Engine(Project(tmp_path), lanes=2)
    try:
        evaluations = {e.result.snippet: e.result for e in engine.evaluate_all(["busy.py", "made_from_a.py"])}
    finally:
        engine.close()
    assert evaluations["made_from_a.py"].stdout, evaluations["made_from_a.py"].failure
    assert evaluations["made_from_a.py"].stdout == evaluations["busy.py"].stdout
    assert engine.lane_starts == 1  # a.py, which starts from nothing, went to the other lane


def test_with_one_lane_the_same_recipes_run_one_after_the_other(tmp_path: Path) -> None:
    # the counter-proof of the test above: in one lane each waits in vain for the other
    engine = Engine(_project(tmp_path, wait=1), lanes=1)
    try:
        evaluations = {e.result.snippet: e for e in engine.evaluate_all(["reader.py"])}
    finally:
        engine.close()
    assert evaluations["a.py"].status == "error" and "b never started" in str(evaluations["a.py"].problem)
    assert evaluations["reader.py"].status == "error"  # it needs a.py, which failed
    assert engine.worker.extra_env == {}  # one lane: idle threads wait as torch's default has them


def _workers_of(pid: int) -> list[int]:
    return [
        child
        for child in _children(pid)
        if b"livenotes._internal.worker" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def test_ctrl_c_stops_both_lanes_and_removes_what_their_recipes_half_wrote(tmp_path: Path) -> None:
    hang = (
        "# livenotes: produces=checkpoints/{me}; timeout=600\n"
        "import pathlib, time\n"
        "pathlib.Path('checkpoints/{me}').mkdir()\n"
        "pathlib.Path('checkpoints/{me}/half.bin').write_text('x')\n"
        "pathlib.Path('started-{me}').write_text('')\n"
        "time.sleep(600)\n"
    )
    site = make_site(
        tmp_path,
        '# p\n\n{% run "a.py" %}\n\n{% run "b.py" %}\n',
        {"a.py": hang.format(me="a"), "b.py": hang.format(me="b")},
        {},
    )
    (site / "checkpoints").mkdir()
    build = Running(site, "build")
    try:
        _wait_for(
            lambda: all((site / f"started-{me}").exists() for me in "ab") or build.process.poll() is not None,
            PATIENCE,
            "both recipes started",
        )
        assert build.process.poll() is None, build.log.read_text()[-3000:]
        workers = _workers_of(build.process.pid)
        assert len(workers) == 2, workers
        build.worker = workers[0]
        build.signal_and_time_the_exit(signal.SIGINT, group=True)
        _wait_for(lambda: not any(_alive(pid) for pid in workers), EXIT_BOUND, "both workers exited")
        assert not (site / "checkpoints" / "a").exists() and not (site / "checkpoints" / "b").exists()
    finally:
        build.stop()
