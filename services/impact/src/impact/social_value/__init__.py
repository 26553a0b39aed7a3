"""Licence-neutral social value: tenant-loaded measure sets (`measure_sets`) and the valuation engine
(`engine`). Only public values are bundled (data/); National TOMs and HACT values stay with their licensees."""
