"""The content policy: what every post and public reply must respect, and who approves a post.

- ``model.py``: the validated records (rules, routes) and what a check takes
  and gives (``Draft``, ``Finding``, ``CheckResult``).
- ``file.py`` (with ``reader.py`` and ``toml_locator.py``): reading the
  content sections of ``governance.toml``, every problem on its line.
- ``check.py`` (with ``text.py``, ``rules.py`` and ``lengths.py``): the
  checks on a draft or a reply.
- ``replies.py``: the checks as the inbox runs them on replies.

The governance file itself (versions, roles, training, the last good
version) is ``console/governance.py``.
"""
