"""Readiness Advisor: get AI pilots into production."""

__version__ = "0.1.0"
