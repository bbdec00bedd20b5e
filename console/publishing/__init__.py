"""Scheduling and publishing (to come): approved posts get a time or the next
free slot of their account, the publishing rules (blackout windows, spacing,
duplicates) are checked when scheduling and again just before sending, and
the worker's publishing job sends what is due, exactly once.

Nothing lives here yet; the posts it publishes are ``console/posts/``.
"""
