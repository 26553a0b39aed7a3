"""Assets of Community Value (England; Localism Act 2011 Part 5 Chapter 3, SI 2012/2421).

`regimes` and `clocks` are pure rules (dates in, dates out); `eligibility` judges nominators and bidders
from the registry's public data; the rest is the HTTP and storage around them.
"""
