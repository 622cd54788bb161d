"""Scheduled pushes: each bot's `schedules`, run on time, recorded, sent through the outbox.

Importing the package hands the spec (runtime/spec/model.py, a layer below) the checks of
a schedule's cron line and of the figures its text names; the spec imports none of this.
The workspace imports it, so every command, the server and the studio check schedules.
"""

from __future__ import annotations

from runtime.schedules.figures import FIGURES, unknown_names
from runtime.spec.schedule import ScheduleChecks, use_schedule_checks


def check_cron(line: str) -> None:
    """A ValueError (a CronError, in words) for a cron line that does not read."""
    from runtime.schedules.cron import trigger  # APScheduler only once a schedule is checked

    trigger(line, "UTC")


use_schedule_checks(ScheduleChecks(cron=check_cron, unknown_figures=unknown_names, figures=FIGURES))
