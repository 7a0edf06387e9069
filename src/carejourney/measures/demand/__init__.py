"""Demand as families experience it: value and failure demand, right first time, end-to-end
time, re-referrals and front-door timeliness, from an LA's contact and referral data."""
