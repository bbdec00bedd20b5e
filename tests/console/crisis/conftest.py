"""The crisis room fixture (``crisis_fixtures.py``) for every test here."""

from tests.console.crisis.crisis_fixtures import room  # noqa: F401
from tests.console.identity_fixtures import memory_keyring  # noqa: F401
