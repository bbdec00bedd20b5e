"""The mention monitor (to come): listening rules (keywords, competitors,
campaigns) run through each platform's search, sentiment, and volume-spike
and sentiment-dip alerts that show their working and can open a crisis.

Nothing lives here yet; the searches are the adapters' ``search``.
"""
