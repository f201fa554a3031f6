"""The versioned JSON API (``/api/v1``) for provincial personnel systems."""
