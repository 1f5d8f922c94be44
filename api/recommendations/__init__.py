"""Recommendations with reasons: needs for a provider, providers for a need."""
