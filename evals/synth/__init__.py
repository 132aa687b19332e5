"""Synthetic reports: random values that satisfy the template, rendered as scrapers and offices write them.

Used by the round-trip tests and the benchmark; never by the service.
"""
