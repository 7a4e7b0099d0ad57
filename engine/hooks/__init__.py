"""Hooks: calls to outside systems, kept in the outbox and delivered by adapters."""
