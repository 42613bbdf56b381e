"""The enterprise web inbox (issue 6): staff sign in, see their enterprise's complaints,
answer them and watch the statistics. Storage-backed parts are wired in
``bot/channels/inbox.py``."""
