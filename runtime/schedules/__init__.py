"""Scheduled pushes: each bot's `schedules`, run on time, recorded, sent through the outbox."""
