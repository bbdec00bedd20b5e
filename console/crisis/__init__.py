"""Crisis mode (to come): declare a crisis with a severity, freeze every
scheduled post in one step, a runbook checklist with owners, replies only by
authorised responders, pre-approved holding statements (``console/library/``),
a timeline, resolve and post-mortem.

Nothing lives here yet; it freezes what ``console/publishing/`` sends.
"""
