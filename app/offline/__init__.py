"""Lessons readable offline: the service worker and the web app manifest."""
