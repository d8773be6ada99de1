"""The cycle collector is paused while a job runs and restored after (``jobs/collector.py``)."""

from __future__ import annotations

import gc

import pytest

from xladdin.jobs.collector import collector_paused


def test_paused_inside_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_host_that_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_real_job_runs_without_a_collector_pass(demo_master) -> None:  # type: ignore[no-untyped-def]
    """``summary`` of the demo through the real CLI: the collector does not run while the job does
    (``gc.callbacks`` sees every pass, of any generation); the same work with it on runs it again and again."""
    from tests.conftest import run_main
    from xladdin.cli import main  # noqa: F401  (imported before the count starts, as a shell has it)
    from xladdin.core.periods import Period
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.summary import summary

    master, _ = demo_master
    passes: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(f"gen{info['generation']}")

    gc.callbacks.append(seen)
    try:
        done = run_main("summary", master, "--month", "6", "--json")
        during_job = list(passes)
        passes.clear()
        engine = FileEngine(master)
        try:
            summary(engine, Period.of(6))
        finally:
            engine.close()
    finally:
        gc.callbacks.remove(seen)
    assert done.returncode == 0, done.stderr
    # at most the one pass the first allocation after the job triggers (the job left its count high)
    assert len(during_job) <= 1, during_job
    assert len(passes) >= 5, passes  # the same computation outside a job: the collector runs again and again
