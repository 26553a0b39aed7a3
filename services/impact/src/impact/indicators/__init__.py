"""The CWB indicators: local spend, the five pillars, and their charts and CSV."""
