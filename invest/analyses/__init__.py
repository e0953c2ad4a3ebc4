"""Questions asked of a computed plan: the riktvärde, calibration against the budget, breakdowns, delays and proposals."""
