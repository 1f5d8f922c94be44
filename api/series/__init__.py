"""Recurring needs 常态化共建项目: create a series, browse it with its occurrences, commit, cancel."""
