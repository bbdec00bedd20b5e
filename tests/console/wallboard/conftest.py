"""The crisis room (``tests/console/crisis/crisis_fixtures.py``) for the wallboard's tests."""

from tests.console.crisis.crisis_fixtures import room  # noqa: F401
from tests.console.identity_fixtures import memory_keyring  # noqa: F401
