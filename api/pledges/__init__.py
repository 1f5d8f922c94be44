"""Pledges 公开承诺 ("1+3"): a member's or unit's public commitments with progress, reviewed by the
org's secretary and shown on the org's public results page."""
