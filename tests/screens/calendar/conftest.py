"""Fixtures of the Calendar panel tests (``calendar_data.py``, ``helpers.py``)."""

from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.calendar.calendar_data import calendar_governance, fixed_post_ids  # noqa: F401
from tests.screens.calendar.helpers import team, week  # noqa: F401
