"""The demo harness: local stand-ins of 9Pic and RunSignUp, their drawn photos, the demo events.

Loaded only when NINEPIC_STANDIN or RUNSIGNUP_STANDIN is on (`make run`, tests); the
product never imports it.
"""
