"""socops' domain: the records, the services, the worker and the CLI; no
terminal UI (that is ``screens/``), no HTTP (that is ``integrations/``).

One package per domain, each with a map of its modules in its ``__init__``
and its public names in ``__all__``; another domain imports it only through
those names (``tests/test_layering.py`` keeps it so):

- ``inbox/``: comments, DMs and mentions; triage, replies, SLA, sync.
- ``posts/``: drafts and their approval, stage by stage.
- ``policy/``: the content policy and the checks every draft and reply passes.
- ``library/``: approved images, snippets, templates, saved replies, holding statements.
- ``accounts/``: connected platform accounts and how each platform is reached.
- ``identity/``: console users, login and sessions, TOTP, secrets, training.
- ``permissions/``: who may do what: permissions, roles, scopes, the Actor.
- ``audit/``: the tamper-evident audit trail.
- ``publishing/``, ``crisis/``, ``monitor/``, ``reports/``: the domains to come.
- ``worker/``: the one process that runs the timed jobs (the worker lock, its status).
- ``cli/``: ``socops`` and its commands; ``cli/main.py`` is the composition root.

Shared by all, at the top: ``errors.py``, ``records.py`` (times as stored,
bulk results), ``config.py`` (``socops.toml``), ``governance.py``
(``governance.toml``), ``paths.py``, ``notices.py``, ``tags.py``,
``timeparse.py`` (times as typed), ``hidden_text.py`` (the characters a reader
cannot see, and how review screens show them), ``untrusted.py`` (platform text
made safe), ``graphemes.py`` (characters as a reader counts them, emoji of a
steady width),
and ``workspace.py``, which opens the store and builds every service.
"""
