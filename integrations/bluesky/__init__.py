"""Bluesky (AT Protocol) adapter: see :mod:`integrations.bluesky.adapter`."""

from .adapter import BlueskyAdapter, rkey_for
from .facets import build_facets
from .parse import parse_notifications_page
from .xrpc import PLATFORM

__all__ = ["PLATFORM", "BlueskyAdapter", "build_facets", "parse_notifications_page", "rkey_for"]
