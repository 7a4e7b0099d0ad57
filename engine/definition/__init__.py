"""Lifecycle definitions: loading, checking and the plain-data model."""
