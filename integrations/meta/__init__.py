"""Meta Graph API adapters: Facebook Pages and Instagram professional accounts."""

from integrations.meta.facebook import FacebookPageAdapter
from integrations.meta.instagram import InstagramAdapter

__all__ = ["FacebookPageAdapter", "InstagramAdapter"]
