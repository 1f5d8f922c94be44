"""Delivering notifications to channels (email by SMTP; SMS or WeChat through an adapter) and the
worker that runs delivery and the scheduled jobs. Contract: docs/notifications.md."""
