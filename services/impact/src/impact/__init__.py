"""localwealth impact service: council spend, supplier reconciliation, local spend, LM3, social value and the
five community wealth building pillars."""
