"""The crisis room of the service tests (the shipped plan, the sandbox accounts, the
sample holding statements, a team) for the Crisis panel's tests."""

from tests.console.crisis.crisis_fixtures import room  # noqa: F401
from tests.console.identity_fixtures import memory_keyring  # noqa: F401
