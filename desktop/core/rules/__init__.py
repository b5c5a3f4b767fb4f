"""Notification rules: which notifications a poll result or forecast deserves, without spam.

catalogue: the rules, one row each (the table); memory: what was sent and the credit epoch, as
saved between runs; decisions: `evaluate`, `evaluate_forecast`; messages: what each rule says.
"""
